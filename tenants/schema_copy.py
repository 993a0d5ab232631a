"""Copying the template schema into a new client's schema at a cost that does not grow with
the number of schemas in the database.

django-tenants' `clone_schema` looks the template's tables, columns and sequences up through
`information_schema` and `pg_catalog` views that scan every relation in the database: 0.5 s on
a young database, 4.8 s at 500 clients (docs/performance.md). Here the template's DDL is
read once from the catalogue, restricted to the template's namespace by OID, and turned into
one SQL script: functions, tables (columns, defaults, identity columns with their sequence
names and options), constraints, indexes, triggers (pgtrigger / pghistory ones included, with
their enabled state) and comments. The script is kept in memory keyed on the template's
applied migrations (a new migration changes the key and the script is rebuilt) and replayed
with the new schema's name, inside the caller's transaction, followed by a copy of the
template's rows (migration records, content types, anything a data migration put there) and
its sequences' positions.

What the generator does not know how to copy (views, partitioned tables, types, policies,
privileges, non-identity sequences, ...) raises `TemplateNotCopyable`; the caller then falls
back to django-tenants' clone. `tests/tenants/test_schema_copy.py` compares a copied schema
with one built by replaying every migration, object by object.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.models import TenantMixin
from django_tenants.utils import schema_exists

logger = logging.getLogger(__name__)

# Bump when the generator changes what it emits.
GENERATOR_VERSION = "1"


class TemplateNotCopyable(Exception):
    """The template holds something this generator does not reproduce."""


@dataclass(frozen=True)
class TemplateScript:
    """The template's DDL (with the template's name in it) and its row copy, keyed on its state."""

    key: str
    template: str
    ddl: str
    tables: tuple[tuple[str, tuple[str, ...], bool], ...]  # (table, copied columns, identity always)
    sequences: tuple[str, ...]
    after_data: str

    def sql_for(self, schema: str) -> str:
        """The whole script for `schema`: DDL, rows, sequence positions, then FKs and triggers."""
        new = quote_ident(schema)
        old = quote_ident(self.template)
        prefix = re.compile(rf"(?<![\w\"]){re.escape(self.template)}\.")

        def rename(sql: str) -> str:
            return prefix.sub(f"{new}.", sql)

        parts = [f"CREATE SCHEMA {new};", rename(self.ddl)]
        for table, columns, always in self.tables:
            cols = ", ".join(quote_ident(c) for c in columns)
            overriding = " OVERRIDING SYSTEM VALUE" if always else ""
            parts.append(
                f"INSERT INTO {new}.{quote_ident(table)} ({cols}){overriding} "  # noqa: S608 (quoted identifiers)
                f"SELECT {cols} FROM {old}.{quote_ident(table)};"
            )
        if self.sequences:
            # One branch per sequence: a join of dozens of sequences would cost more to plan.
            parts.append(
                " UNION ALL ".join(  # noqa: S608
                    f"SELECT pg_catalog.setval('{new}.{quote_ident(seq)}', last_value, is_called)"  # noqa: S608 (quoted identifiers)
                    f" FROM {old}.{quote_ident(seq)}"
                    for seq in self.sequences
                )
                + ";"
            )
        parts.append(rename(self.after_data))
        return "\n".join(parts)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_cache: dict[str, TemplateScript] = {}
_lock = threading.Lock()


def template_state_key(template: str) -> str:
    """Identifies the template's state: its applied migrations, the server version and this
    generator's version. One cheap query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), ''),"  # noqa: S608 (quoted identifiers)
            f" current_setting('server_version_num') FROM {quote_ident(template)}.django_migrations"
        )
        count, names, version = cursor.fetchone()
    digest = hashlib.sha256(f"{GENERATOR_VERSION}|{version}|{count}|{names}".encode()).hexdigest()
    return f"{template}:{digest}"


def template_script(template: str) -> TemplateScript:
    """The cached script for the template's current state, generated on a miss."""
    if not schema_exists(template):
        raise TemplateNotCopyable(f"schema {template} does not exist")
    key = template_state_key(template)
    script = _cache.get(key)
    if script is None:
        with _lock:
            script = _cache.get(key)
            if script is None:
                script = generate_script(template, key)
                _cache.clear()  # older states of the template are of no further use
                _cache[key] = script
                logger.info("template schema script generated", extra={"template": template})
    return script


def forget_template_script() -> None:
    _cache.clear()


def copy_template_schema(template: str, schema: str) -> None:
    """Create `schema` as a copy of `template` on the current connection (in its transaction)."""
    script = template_script(template)
    with connection.cursor() as cursor:
        # pg_dump does the same: SQL-language function bodies may name tables made later.
        cursor.execute("SET LOCAL check_function_bodies = off")
        cursor.execute(script.sql_for(schema))


# ------------------------------------------------------------------ generation


def _fetch(sql: str, params: list[Any]) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def generate_script(template: str, key: str) -> TemplateScript:
    """Read the template's objects from the catalogue (by namespace OID) and write their DDL.

    Runs with an empty search_path so that every name the pg_get_*def functions print is
    schema-qualified; the template's qualifier is then swapped for the new schema's."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", template):
        raise TemplateNotCopyable(f"template name {template!r} would need quoting")
    with connection.cursor() as cursor:
        cursor.execute("SET search_path TO ''")
    try:
        return _generate(template, key)
    finally:
        # django-tenants sets the tenant's search_path again before the next query.
        connection.search_path_set_schemas = None  # type: ignore[attr-defined]


def _generate(template: str, key: str) -> TemplateScript:
    rows = _fetch(
        "SELECT oid, nspacl IS NOT NULL FROM pg_catalog.pg_namespace WHERE nspname = %s", [template]
    )
    if not rows:
        raise TemplateNotCopyable(f"schema {template} does not exist")
    ns, has_acl = rows[0]
    if has_acl:
        raise TemplateNotCopyable("the template schema has privileges granted on it")
    if _fetch("SELECT 1 FROM pg_catalog.pg_default_acl WHERE defaclnamespace = %s", [ns]):
        raise TemplateNotCopyable("the template schema has default privileges")

    relations = _fetch(
        """
        SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.reloptions, c.relacl IS NOT NULL,
               c.relrowsecurity, c.relhasrules, c.relispartition, c.reloftype <> 0
        FROM pg_catalog.pg_class c WHERE c.relnamespace = %s ORDER BY c.oid
        """,
        [ns],
    )
    tables = [r for r in relations if r[2] == "r"]
    for _oid, name, kind, persistence, options, acl, rls, rules, partition, typed in relations:
        if kind not in ("r", "i", "S"):
            raise TemplateNotCopyable(f"{name}: relation kind {kind!r} is not copied")
        if kind == "r" and (persistence != "p" or options or acl or rls or rules or partition or typed):
            raise TemplateNotCopyable(f"{name}: table options, privileges, policies or rules are not copied")
    if _fetch(
        "SELECT 1 FROM pg_catalog.pg_type WHERE typnamespace = %s AND typtype <> 'c' AND typelem = 0"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE reltype = pg_type.oid)",
        [ns],
    ):
        raise TemplateNotCopyable("the template defines types of its own")
    if _fetch(
        "SELECT 1 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
        " WHERE c.relnamespace = %s",
        [ns],
    ):
        raise TemplateNotCopyable("the template has inherited tables")
    table_oids = [r[0] for r in tables]

    # Sequences: only those of identity columns are reproduced (by the column definition).
    identity_seqs = {
        seq: (table, column)
        for seq, table, column in _fetch(
            """
            SELECT d.objid, d.refobjid, d.refobjsubid FROM pg_catalog.pg_depend d
            WHERE d.classid = 'pg_catalog.pg_class'::regclass
               AND d.refclassid = 'pg_catalog.pg_class'::regclass
              AND d.deptype = 'i' AND d.refobjid = ANY(%s)
            """,
            [table_oids],
        )
    }
    for oid, name, kind, *_ in relations:
        if kind == "S" and oid not in identity_seqs:
            raise TemplateNotCopyable(f"sequence {name} is not an identity column's")
    seq_options = {
        (table, column): (name, opts)
        for name, table, column, opts in _fetch(
            """
            SELECT c.relname, d.refobjid, d.refobjsubid,
                   format('INCREMENT BY %%s MINVALUE %%s MAXVALUE %%s START WITH %%s CACHE %%s %%s',
                          s.seqincrement, s.seqmin, s.seqmax,
                          s.seqstart, s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)
            FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
            JOIN pg_catalog.pg_depend d ON d.objid = s.seqrelid
               AND d.classid = 'pg_catalog.pg_class'::regclass
              AND d.deptype = 'i' AND d.refclassid = 'pg_catalog.pg_class'::regclass
            WHERE c.relnamespace = %s
            """,
            [ns],
        )
    }

    ddl: list[str] = []
    after: list[str] = []

    # Functions (trigger functions of pgtrigger/pghistory) first: triggers need them.
    for definition, has_acl in _fetch(
        "SELECT pg_catalog.pg_get_functiondef(p.oid), p.proacl IS NOT NULL FROM pg_catalog.pg_proc p"
        " WHERE p.pronamespace = %s AND p.prokind = 'f' ORDER BY p.oid",
        [ns],
    ):
        if has_acl:
            raise TemplateNotCopyable("a function of the template has privileges granted on it")
        ddl.append(definition.rstrip() + ";")
    if _fetch("SELECT 1 FROM pg_catalog.pg_proc WHERE pronamespace = %s AND prokind <> 'f'", [ns]):
        raise TemplateNotCopyable("the template has procedures or aggregates")

    columns = _fetch(
        """
        SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull, a.attidentity, a.attgenerated,
               pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
               CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                    THEN (SELECT format('%%I.%%I', n.nspname, co.collname) FROM pg_catalog.pg_collation co
                          JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
                             WHERE co.oid = a.attcollation)
               END,
               a.attacl IS NOT NULL OR a.attstattarget > 0
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """,
        [table_oids],
    )
    by_table: dict[int, list[tuple]] = {}  # type: ignore[type-arg]
    for row in columns:
        by_table.setdefault(row[0], []).append(row)

    data_tables: list[tuple[str, tuple[str, ...], bool]] = []
    sequences: list[str] = []
    table_lines: dict[int, list[str]] = {}
    for oid, name, *_ in tables:
        lines = []
        copied: list[str] = []
        always = False
        for (
            _rel,
            attnum,
            col,
            coltype,
            notnull,
            identity,
            generated,
            default,
            collation,
            extra,
        ) in by_table.get(oid, []):
            if extra:
                raise TemplateNotCopyable(f"{name}.{col}: column privileges or statistics targets")
            line = f"{quote_ident(col)} {coltype}"
            if collation:
                line += f" COLLATE {collation}"
            if generated:
                line += f" GENERATED ALWAYS AS ({default}) STORED"
            elif default is not None:
                line += f" DEFAULT {default}"
            if identity:
                seq_name, opts = seq_options[(oid, attnum)]
                kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
                always = always or identity == "a"
                line += (
                    f" GENERATED {kind} AS IDENTITY (SEQUENCE NAME {template}.{quote_ident(seq_name)} {opts})"
                )
                sequences.append(seq_name)
            if notnull:
                line += " NOT NULL"
            lines.append(line)
            if not generated:
                copied.append(col)
        table_lines[oid] = lines
        data_tables.append((name, tuple(copied), always))

    # Keys, uniques, exclusions and checks are written into CREATE TABLE (cheaper than adding
    # them one ALTER TABLE at a time); foreign keys are added after the rows are in, as pg_dump
    # does. NOT NULL (PostgreSQL 18 records them as constraints too) came with the columns.
    constraints = _fetch(
        """
        SELECT c.conrelid, c.conname, c.contype, pg_catalog.pg_get_constraintdef(c.oid), r.relname
        FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
        WHERE c.conrelid = ANY(%s) AND c.contype <> 'n'
        ORDER BY CASE c.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3
           ELSE 4 END, c.oid
        """,
        [table_oids],
    )
    for rel, conname, contype, definition, table in constraints:
        if contype not in ("p", "u", "x", "c", "f"):
            raise TemplateNotCopyable(f"{table}.{conname}: constraint type {contype!r}")
        if contype == "f":
            after.append(
                f"ALTER TABLE {template}.{quote_ident(table)}"
                f" ADD CONSTRAINT {quote_ident(conname)} {definition};"
            )
        else:
            table_lines[rel].append(f"CONSTRAINT {quote_ident(conname)} {definition}")
    for oid, name, *_ in tables:
        ddl.append(
            f"CREATE TABLE {template}.{quote_ident(name)} (\n    " + ",\n    ".join(table_lines[oid]) + "\n);"
        )
    if _fetch("SELECT 1 FROM pg_catalog.pg_constraint WHERE connamespace = %s AND conrelid = 0", [ns]):
        raise TemplateNotCopyable("the template has domain constraints")

    # Indexes that back no constraint.
    for (definition,) in _fetch(
        """
        SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i
        WHERE i.indrelid = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid
                          AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
        ORDER BY i.indexrelid
        """,
        [table_oids],
    ):
        ddl.append(definition + ";")

    # Triggers, after the rows (a copied row must not fire a history trigger).
    for definition, enabled, table, tgname in _fetch(
        """
        SELECT pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled, c.relname, t.tgname
        FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
        WHERE t.tgrelid = ANY(%s) AND NOT t.tgisinternal ORDER BY t.oid
        """,
        [table_oids],
    ):
        after.append(definition + ";")
        state = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}.get(enabled)
        if state:
            after.append(
                f"ALTER TABLE {template}.{quote_ident(table)} {state} TRIGGER {quote_ident(tgname)};"
            )

    # Comments (pgtrigger keeps each trigger's hash in its comment).
    for target, text in _fetch(
        """
        SELECT CASE
                 WHEN d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0 THEN
                   (SELECT CASE c.relkind WHEN 'i' THEN 'INDEX ' WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END
                           || format('%%I.%%I', %s::text, c.relname)
                    FROM pg_catalog.pg_class c WHERE c.oid = d.objoid)
                 WHEN d.classoid = 'pg_catalog.pg_class'::regclass THEN
                   (SELECT format('COLUMN %%I.%%I.%%I', %s::text, c.relname, a.attname)
                    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a
                      ON a.attrelid = c.oid AND a.attnum = d.objsubid WHERE c.oid = d.objoid)
                 WHEN d.classoid = 'pg_catalog.pg_trigger'::regclass THEN
                   (SELECT format('TRIGGER %%I ON %%I.%%I', t.tgname, %s::text, c.relname)
                    FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                    WHERE t.oid = d.objoid)
                 WHEN d.classoid = 'pg_catalog.pg_constraint'::regclass THEN
                   (SELECT format('CONSTRAINT %%I ON %%I.%%I', k.conname, %s::text, c.relname)
                    FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
                    WHERE k.oid = d.objoid)
                 WHEN d.classoid = 'pg_catalog.pg_proc'::regclass THEN
                   (SELECT format('FUNCTION %%I.%%I(%%s)', %s::text, p.proname,
                                  pg_catalog.pg_get_function_identity_arguments(p.oid))
                    FROM pg_catalog.pg_proc p WHERE p.oid = d.objoid)
               END,
               d.description
        FROM pg_catalog.pg_description d
        WHERE (d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid IN
                 (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = %s))
           OR (d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objoid IN
                 (SELECT oid FROM pg_catalog.pg_trigger WHERE tgrelid = ANY(%s)))
           OR (d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objoid IN
                 (SELECT oid FROM pg_catalog.pg_constraint WHERE conrelid = ANY(%s)))
           OR (d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objoid IN
                 (SELECT oid FROM pg_catalog.pg_proc WHERE pronamespace = %s))
        ORDER BY d.classoid, d.objoid, d.objsubid
        """,
        [template, template, template, template, template, ns, table_oids, table_oids, ns],
    ):
        if target is None:
            raise TemplateNotCopyable("a comment on an object this generator does not copy")
        after.append(f"COMMENT ON {target} IS {quote_literal(text)};")

    return TemplateScript(
        key=key,
        template=template,
        ddl="\n".join(ddl),
        tables=tuple(data_tables),
        sequences=tuple(sequences),
        after_data="\n".join(after),
    )


def create_client_schema(client: TenantMixin) -> str:
    """Create `client`'s schema on the current connection (inside the caller's transaction);
    returns how: "copied" from the template, else django-tenants' "clone" or "migrated"."""
    template = settings.TENANT_BASE_SCHEMA
    if settings.TENANT_CREATION_FAKES_MIGRATIONS and template and schema_exists(template):
        try:
            copy_template_schema(template, client.schema_name)
            return "copied"
        except TemplateNotCopyable as exc:
            logger.warning(
                "template schema not copyable, falling back to django-tenants' clone",
                extra={"template": template, "reason": str(exc)},
            )
    client.create_schema(check_if_exists=False, verbosity=0)
    return "clone" if settings.TENANT_CREATION_FAKES_MIGRATIONS else "migrated"


def warm_template_script() -> None:
    """Generate the template's script now (after migrations), so that provisioning finds it."""
    template = settings.TENANT_BASE_SCHEMA
    if template and schema_exists(template):
        try:
            template_script(template)
        except TemplateNotCopyable as exc:
            logger.warning("template schema not copyable", extra={"template": template, "reason": str(exc)})


def schema_shape(schema: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Everything that makes up `schema`, its own name written as `<schema>`: columns, constraints,
    indexes, sequences, functions, triggers, comments, privileges and the migration records.
    Two schemas built from the same migrations have equal shapes (tests and benchmarks use it)."""
    own = re.compile(rf"(?<![\w\"])\"?{re.escape(schema)}\"?\.")

    def norm(rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
        return sorted(tuple(own.sub("<schema>.", v) if isinstance(v, str) else v for v in r) for r in rows)

    with connection.cursor() as cursor:
        cursor.execute("SET search_path TO ''")
    try:
        ns = _fetch(
            "SELECT oid, coalesce(nspacl::text, '') FROM pg_catalog.pg_namespace WHERE nspname = %s", [schema]
        )[0]
        shape = {
            "namespace": [(ns[1],)],
            "default privileges": _fetch(
                "SELECT defaclobjtype, defaclacl::text FROM pg_catalog.pg_default_acl"
                " WHERE defaclnamespace = %s",
                [ns[0]],
            ),
            "relations": _fetch(
                "SELECT relname, relkind, relpersistence, coalesce(relacl::text, ''), relrowsecurity,"
                " coalesce(reloptions::text, '') FROM pg_catalog.pg_class WHERE relnamespace = %s",
                [ns[0]],
            ),
            "columns": _fetch(
                """
                SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       a.attidentity, a.attgenerated, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                       a.attcollation, coalesce(a.attacl::text, '')
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                WHERE c.relnamespace = %s AND a.attnum > 0 AND NOT a.attisdropped
                """,
                [ns[0]],
            ),
            "constraints": _fetch(
                "SELECT c.conname, r.relname, c.contype, pg_catalog.pg_get_constraintdef(c.oid),"
                " c.convalidated FROM pg_catalog.pg_constraint c"
                " JOIN pg_catalog.pg_class r ON r.oid = c.conrelid"
                " WHERE r.relnamespace = %s",
                [ns[0]],
            ),
            "indexes": _fetch(
                "SELECT c.relname, pg_catalog.pg_get_indexdef(c.oid) FROM pg_catalog.pg_class c"
                " WHERE c.relnamespace = %s AND c.relkind = 'i'",
                [ns[0]],
            ),
            "sequences": _fetch(
                "SELECT c.relname, s.seqtypid, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,"
                " s.seqcycle FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
                " WHERE c.relnamespace = %s",
                [ns[0]],
            ),
            "identity owners": _fetch(
                "SELECT s.relname, t.relname, a.attname FROM pg_catalog.pg_depend d"
                " JOIN pg_catalog.pg_class s ON s.oid = d.objid"
                " JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
                " JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
                " WHERE s.relnamespace = %s AND s.relkind = 'S' AND d.deptype IN ('i', 'a')",
                [ns[0]],
            ),
            "functions": _fetch(
                "SELECT p.proname, pg_catalog.pg_get_functiondef(p.oid), coalesce(p.proacl::text, '')"
                " FROM pg_catalog.pg_proc p WHERE p.pronamespace = %s",
                [ns[0]],
            ),
            "triggers": _fetch(
                "SELECT t.tgname, c.relname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled"
                " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
                " WHERE c.relnamespace = %s AND NOT t.tgisinternal",
                [ns[0]],
            ),
            "comments": _fetch(
                "SELECT d.classoid::regclass::text, d.objsubid, d.description,"
                " coalesce((SELECT relname FROM pg_catalog.pg_class WHERE oid = d.objoid),"
                "          (SELECT tgname FROM pg_catalog.pg_trigger WHERE oid = d.objoid),"
                "          (SELECT conname FROM pg_catalog.pg_constraint WHERE oid = d.objoid),"
                "          (SELECT proname FROM pg_catalog.pg_proc WHERE oid = d.objoid))"
                " FROM pg_catalog.pg_description d WHERE"
                " d.objoid IN (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace = %s)"
                " OR d.objoid IN (SELECT t.oid FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c"
                "                 ON c.oid = t.tgrelid WHERE c.relnamespace = %s)"
                " OR d.objoid IN (SELECT oid FROM pg_catalog.pg_constraint WHERE connamespace = %s)"
                " OR d.objoid IN (SELECT oid FROM pg_catalog.pg_proc WHERE pronamespace = %s)",
                [ns[0]] * 4,
            ),
            "migration records": _fetch(f"SELECT app, name FROM {quote_ident(schema)}.django_migrations", []),  # noqa: S608 (quoted identifiers)
        }
    finally:
        connection.search_path_set_schemas = None  # type: ignore[attr-defined]
    return {name: norm(rows) for name, rows in shape.items()}
