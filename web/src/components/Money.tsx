import { decimalSign, formatMoney } from "../lib/format";

/** An amount in its currency; negative in the expense colour, zero neutral. */
export function Money({ amount, currency, signed = true }: { amount: string; currency: string; signed?: boolean }) {
  const sign = decimalSign(amount);
  const tone = !signed || sign === 0 ? "" : sign < 0 ? " money-out" : " money-in";
  return <span className={`money${tone}`}>{formatMoney(amount, currency)}</span>;
}
