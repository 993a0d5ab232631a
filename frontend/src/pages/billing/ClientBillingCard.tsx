import { useState } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, SelectField, Spinner, TextField } from '../../components/ui';
import type {
  AddContractLineMutation,
  AddContractLineMutationVariables,
  ClientBillingSetupQuery,
  ClientBillingSetupQueryVariables,
  ClientInvoicesQuery,
  ClientInvoicesQueryVariables,
  CreateContractMutation,
  CreateContractMutationVariables,
  CreateCreditNoteMutation,
  CreateCreditNoteMutationVariables,
  PricingModel,
  RecordPaymentMutation,
  RecordPaymentMutationVariables,
  SaveBillingProfileMutation,
  SaveBillingProfileMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import {
  ADD_CONTRACT_LINE_MUTATION,
  CLIENT_BILLING_SETUP_QUERY,
  CLIENT_INVOICES_QUERY,
  CREATE_CONTRACT_MUTATION,
  CREATE_CREDIT_NOTE_MUTATION,
  RECORD_PAYMENT_MUTATION,
  SAVE_BILLING_PROFILE_MUTATION,
} from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { BillingOverview, InvoiceTable } from './InvoicesPage';
import { formatMoney } from './billing';
import './billing.css';

const PRICING_LABEL: Record<PricingModel, string> = {
  FLAT: 'Flat monthly',
  PER_SEAT: 'Per seat',
  PER_DEVICE: 'Per managed device',
  BLOCK_HOURS: 'Block of hours',
  ONE_OFF: 'One-off',
};

type Errors = Record<string, string>;
const toErrors = (list: readonly { field: string | null; message: string }[] | undefined): Errors =>
  Object.fromEntries((list ?? []).map((e) => [e.field ?? 'form', e.message]));

function ProfileForm({ slug, profile, onSaved }: { slug: string; profile: ClientBillingSetupQuery['billingProfile']; onSaved: () => void }) {
  const [values, setValues] = useState({
    currency: profile?.currency ?? 'USD',
    billingDay: String(profile?.billingDay ?? 1),
    paymentTermsDays: String(profile?.paymentTermsDays ?? 30),
    taxRate: profile?.taxRate ?? '0',
    billingEmail: profile?.billingEmail ?? '',
  });
  const [save, state] = useMutation<SaveBillingProfileMutation, SaveBillingProfileMutationVariables>(SAVE_BILLING_PROFILE_MUTATION);
  const [errors, setErrors] = useState<Errors>({});
  const set = (key: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) => setValues({ ...values, [key]: e.target.value });
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const result = await save({
      clientSlug: slug,
      currency: values.currency,
      billingDay: Number(values.billingDay),
      paymentTermsDays: Number(values.paymentTermsDays),
      taxRate: values.taxRate,
      billingEmail: values.billingEmail,
    });
    const problems = result?.saveBillingProfile.errors;
    setErrors(toErrors(problems));
    if (result && !problems?.length) onSaved();
  }
  return (
    <form className="inline-form pad" onSubmit={(e) => void submit(e)} aria-label="Billing settings">
      <TextField label="Currency" value={values.currency} onChange={set('currency')} error={errors.currency} maxLength={3} size={4} />
      <TextField label="Billing day" type="number" min={1} max={31} value={values.billingDay} onChange={set('billingDay')} error={errors.billingDay} />
      <TextField label="Terms (days)" type="number" min={0} max={365} value={values.paymentTermsDays} onChange={set('paymentTermsDays')} error={errors.paymentTermsDays} />
      <TextField label="Tax %" value={values.taxRate} onChange={set('taxRate')} error={errors.taxRate} inputMode="decimal" size={6} />
      <TextField label="Invoice e-mail" type="email" value={values.billingEmail} onChange={set('billingEmail')} error={errors.billingEmail} />
      <Button type="submit" size="sm" loading={state.loading}>
        Save
      </Button>
      {errors.form && <span className="small error-text">{errors.form}</span>}
    </form>
  );
}

function NewContractForm({ slug, onSaved }: { slug: string; onSaved: () => void }) {
  const [name, setName] = useState('Managed services');
  const [startsOn, setStartsOn] = useState('');
  const [create, state] = useMutation<CreateContractMutation, CreateContractMutationVariables>(CREATE_CONTRACT_MUTATION);
  const [errors, setErrors] = useState<Errors>({});
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const result = await create({ clientSlug: slug, input: { name, startsOn: startsOn || null } });
    const problems = result?.createContract.errors;
    setErrors(toErrors(problems));
    if (result && !problems?.length) onSaved();
  }
  return (
    <form className="inline-form pad" onSubmit={(e) => void submit(e)} aria-label="New contract">
      <TextField label="Contract name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={120} />
      <TextField label="Starts on" type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} error={errors.startsOn} required />
      <Button type="submit" size="sm" loading={state.loading}>
        Add contract
      </Button>
      {errors.form && <span className="small error-text">{errors.form}</span>}
    </form>
  );
}

function NewLineForm({ contractId, onSaved }: { contractId: string; onSaved: () => void }) {
  const [model, setModel] = useState<PricingModel>('FLAT');
  const [description, setDescription] = useState('');
  const [unitPrice, setUnitPrice] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [includedHours, setIncludedHours] = useState('10');
  const [overageRate, setOverageRate] = useState('');
  const [add, state] = useMutation<AddContractLineMutation, AddContractLineMutationVariables>(ADD_CONTRACT_LINE_MUTATION);
  const [errors, setErrors] = useState<Errors>({});
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const block = model === 'BLOCK_HOURS';
    const result = await add({
      contractId,
      input: {
        pricingModel: model,
        description,
        unitPrice,
        quantity,
        ...(block ? { includedHours, overageRate: overageRate || '0' } : {}),
      },
    });
    const problems = result?.addContractLine.errors;
    setErrors(toErrors(problems));
    if (result && !problems?.length) {
      setDescription('');
      setUnitPrice('');
      onSaved();
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="New contract line">
      <SelectField label="Pricing" value={model} onChange={(e) => setModel(e.target.value as PricingModel)} error={errors.pricingModel}>
        {(Object.keys(PRICING_LABEL) as PricingModel[]).map((key) => (
          <option key={key} value={key}>
            {PRICING_LABEL[key]}
          </option>
        ))}
      </SelectField>
      <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} maxLength={200} required />
      <TextField label={model === 'PER_SEAT' || model === 'PER_DEVICE' ? 'Contracted count' : 'Quantity'} value={quantity} onChange={(e) => setQuantity(e.target.value)} error={errors.quantity} size={6} />
      <TextField label="Unit price" value={unitPrice} onChange={(e) => setUnitPrice(e.target.value)} error={errors.unitPrice} inputMode="decimal" size={8} required />
      {model === 'BLOCK_HOURS' && (
        <>
          <TextField label="Hours included" value={includedHours} onChange={(e) => setIncludedHours(e.target.value)} error={errors.includedHours} size={5} />
          <TextField label="Overage per hour" value={overageRate} onChange={(e) => setOverageRate(e.target.value)} error={errors.overageRate} size={7} />
        </>
      )}
      <Button type="submit" size="sm" loading={state.loading}>
        Add line
      </Button>
      {errors.form && <span className="small error-text">{errors.form}</span>}
    </form>
  );
}

function MoneyForm({ invoiceId, kind, onSaved }: { invoiceId: string; kind: 'payment' | 'credit'; onSaved: () => void }) {
  const [amount, setAmount] = useState('');
  const [text, setText] = useState('');
  const [pay, paying] = useMutation<RecordPaymentMutation, RecordPaymentMutationVariables>(RECORD_PAYMENT_MUTATION);
  const [credit, crediting] = useMutation<CreateCreditNoteMutation, CreateCreditNoteMutationVariables>(CREATE_CREDIT_NOTE_MUTATION);
  const [errors, setErrors] = useState<Errors>({});
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const problems =
      kind === 'payment'
        ? (await pay({ invoiceId, amount, reference: text }))?.recordPayment.errors
        : (await credit({ invoiceId, amount, reason: text }))?.createCreditNote.errors;
    setErrors(toErrors(problems));
    if (problems && !problems.length) {
      setAmount('');
      setText('');
      onSaved();
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={kind === 'payment' ? 'Record a payment' : 'Issue a credit note'}>
      <TextField label={kind === 'payment' ? 'Amount received' : 'Credit (tax incl.)'} value={amount} onChange={(e) => setAmount(e.target.value)} error={errors.amount} inputMode="decimal" size={9} required />
      <TextField label={kind === 'payment' ? 'Reference' : 'Reason'} value={text} onChange={(e) => setText(e.target.value)} error={errors.reference ?? errors.reason} maxLength={kind === 'payment' ? 120 : 300} required={kind === 'credit'} />
      <Button type="submit" size="sm" loading={paying.loading || crediting.loading}>
        {kind === 'payment' ? 'Record payment' : 'Issue credit note'}
      </Button>
      {errors.form && <span className="small error-text">{errors.form}</span>}
    </form>
  );
}

/** Staff, on a client's page: billing settings, contracts with their lines, invoices. */
export function ClientBillingCard({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const setup = useQuery<ClientBillingSetupQuery, ClientBillingSetupQueryVariables>(CLIENT_BILLING_SETUP_QUERY, { clientSlug: slug });
  const invoices = useQuery<ClientInvoicesQuery, ClientInvoicesQueryVariables>(CLIENT_INVOICES_QUERY, { clientSlug: slug });
  const [open, setOpen] = useState<string>('');
  const refresh = () => {
    void setup.refetch();
    void invoices.refetch();
  };
  if (setup.error && !setup.data) return <QueryError title="Couldn’t load billing" error={setup.error} onRetry={setup.refetch} />;
  if (!setup.data) return <Spinner label="Loading billing" />;
  const profile = setup.data.billingProfile;
  const openInvoices = (invoices.data?.invoices ?? []).filter((i) => i.status === 'ISSUED' || i.status === 'PARTIALLY_PAID');
  return (
    <Card headingId="billing-heading" title="Billing" testId="client-billing">
      {canEdit ? (
        <ProfileForm slug={slug} profile={profile} onSaved={refresh} />
      ) : (
        <p className="small pad">
          {profile ? `${profile.currency}, billed on day ${profile.billingDay}, net ${profile.paymentTermsDays} days, tax ${profile.taxRate} %.` : 'Not set up yet.'}
        </p>
      )}
      <h3 className="pad strong">Contracts</h3>
      {setup.data.contracts.length === 0 && <p className="muted small pad">No contract yet.</p>}
      {setup.data.contracts.map((contract) => (
        <div key={contract.id} className="pad">
          <p className="strong">
            {contract.name} · {formatDate(contract.startsOn)} – {contract.endsOn ? formatDate(contract.endsOn) : 'open'}
          </p>
          <div className="table-scroll">
            <table className="billing-table">
              <caption className="sr-only">Lines of {contract.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Pricing</th>
                  <th scope="col" className="num">Qty</th>
                  <th scope="col" className="num">Price</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {contract.lines.map((line) => (
                  <tr key={line.id}>
                    <td>
                      {line.description}
                      {line.pricingModel === 'BLOCK_HOURS' && (
                        <div className="small muted">
                          {line.includedHours} h included, {formatMoney(line.overageRate, profile?.currency ?? 'USD')}/h beyond
                          {line.rolloverPeriods ? `, rolls over ${line.rolloverPeriods} periods` : ''}
                        </div>
                      )}
                    </td>
                    <td>{PRICING_LABEL[line.pricingModel]}</td>
                    <td className="num">{line.quantity}</td>
                    <td className="num">{formatMoney(line.unitPrice, profile?.currency ?? 'USD')}</td>
                    <td className="small">
                      {formatDate(line.startsOn)}
                      {line.endsOn ? ` – ${formatDate(line.endsOn)}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {canEdit && <NewLineForm contractId={contract.id} onSaved={refresh} />}
        </div>
      ))}
      {canEdit && <NewContractForm slug={slug} onSaved={refresh} />}
      <h3 className="pad strong">Invoices</h3>
      {invoices.data ? <InvoiceTable invoices={invoices.data.invoices} /> : <Spinner label="Loading invoices" />}
      {canEdit && openInvoices.length > 0 && (
        <div className="pad">
          <SelectField label="Open invoice" value={open} onChange={(e) => setOpen(e.target.value)}>
            <option value="">Choose an invoice…</option>
            {openInvoices.map((i) => (
              <option key={i.id} value={i.id}>
                {i.number} · {formatMoney(i.balance, i.currency)} open
              </option>
            ))}
          </SelectField>
          {open && (
            <>
              <MoneyForm invoiceId={open} kind="payment" onSaved={refresh} />
              <MoneyForm invoiceId={open} kind="credit" onSaved={refresh} />
            </>
          )}
        </div>
      )}
      {(invoices.error || setup.error) && <Alert>Some billing data could not be loaded.</Alert>}
      <div className="pad">
        <BillingOverview clientSlug={slug} />
      </div>
    </Card>
  );
}
