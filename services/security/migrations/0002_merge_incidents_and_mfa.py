# The incidents (security branch) and MFA coverage (assets branch) started the app in
# parallel; this joins the two first migrations. The lead may fold them at merge.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_incidents_phishing"),
        ("security", "0001_mfa_coverage"),
    ]

    operations: list[migrations.operations.base.Operation] = []
