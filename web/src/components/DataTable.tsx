// Every list of the app is this table: headers, cells, a column of row actions, and a phone
// layout. A "cards" table turns each row into a small card on a narrow screen (a label above
// each value, actions at the bottom) instead of a table to scroll sideways; a "scroll" table
// (figures best compared side by side) scrolls, with a shadow on the side that has more.
import { useEffect, useRef, useState, type ButtonHTMLAttributes, type HTMLAttributes, type ReactNode, type RefObject } from "react";

export interface Column<Row> {
  /** The column header; on a phone card, the label above the value. */
  header: ReactNode;
  /** The card label when the header is not plain text. */
  label?: string;
  cell: (row: Row, index: number) => ReactNode;
  /** Figures: right-aligned, tabular digits, no wrapping. */
  numeric?: boolean;
  /** Extra classes of the column's cells, e.g. "nowrap". */
  className?: string;
  /** On a phone card: "title" leads it in bold, "aside" sits top right (an amount), "plain"
   * goes without a label (a control that names itself); the rest are labelled. */
  card?: "title" | "aside" | "plain";
}

export function DataTable<Row>({
  caption, showCaption = false, columns, rows, rowKey, actions, rowProps, footer, layout = "cards", className,
}: {
  /** The table's accessible name; shown only with `showCaption` (a heading often says it already). */
  caption: string;
  showCaption?: boolean;
  /** `false` leaves a column out (one that does not apply to this user or page). */
  columns: readonly (Column<Row> | false | null | undefined)[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  /** The row's buttons (RowAction), in a last column without a visible header. */
  actions?: (row: Row) => ReactNode;
  rowProps?: (row: Row) => HTMLAttributes<HTMLTableRowElement>;
  /** Rows of a <tfoot> (totals). */
  footer?: ReactNode;
  layout?: "cards" | "scroll";
  className?: string;
}) {
  const shown = columns.filter((c): c is Column<Row> => Boolean(c));
  const wrap = useRef<HTMLDivElement>(null);
  const overflowing = useOverflow(wrap, layout === "scroll");
  return (
    <>
      <div
        ref={wrap}
        className={`table-wrap table-${layout}`}
        // A table wider than its box scrolls, and the keyboard can scroll it too.
        tabIndex={overflowing ? 0 : undefined}
        data-overflowing={overflowing || undefined}
      >
        <table className={className}>
          <caption className={showCaption ? undefined : "visually-hidden"}>{caption}</caption>
          <thead>
            <tr>
              {shown.map((column, i) => (
                <th key={i} scope="col" className={column.numeric ? "num" : undefined}>{column.header}</th>
              ))}
              {actions ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={rowKey(row, index)} {...rowProps?.(row)}>
                {shown.map((column, i) => {
                  const label = layout === "cards" ? cardLabel(column) : null;
                  return label ? (
                    // On a phone card the label sits beside the value, which needs a box of its own.
                    <td key={i} className={cellClass(column, "labelled")}>
                      <span className="cell-label" aria-hidden="true">{label}</span>
                      <div className="cell-value">{column.cell(row, index)}</div>
                    </td>
                  ) : (
                    <td key={i} className={cellClass(column)}>{column.cell(row, index)}</td>
                  );
                })}
                {actions ? (
                  <td className="row-actions-cell"><div className="actions row-actions">{actions(row)}</div></td>
                ) : null}
              </tr>
            ))}
          </tbody>
          {footer ? <tfoot>{footer}</tfoot> : null}
        </table>
      </div>
      {/* Said in words too: a shadow alone is easy to miss on a phone. */}
      {overflowing ? <p className="scroll-hint small muted" aria-hidden="true">Scroll sideways for more →</p> : null}
    </>
  );
}

function cellClass(column: Pick<Column<unknown>, "numeric" | "card" | "className">, extra = ""): string | undefined {
  const classes = [column.numeric ? "num" : "", column.card ? `card-${column.card}` : "", column.className ?? "", extra];
  return classes.filter(Boolean).join(" ") || undefined;
}

/** The header again, shown beside the value only on a phone card (where the header row is
 * hidden); aria-hidden, since screen readers announce the real column header. */
function cardLabel(column: Pick<Column<unknown>, "header" | "label" | "card">): string | null {
  if (column.card) return null;
  return column.label ?? (typeof column.header === "string" ? column.header : null);
}

/** Whether the element's content is wider than the element (watched while `active`). */
function useOverflow(ref: RefObject<HTMLElement | null>, active: boolean): boolean {
  const [overflowing, setOverflowing] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!active || !element) return;
    const check = () => setOverflowing(element.scrollWidth > element.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [ref, active]);
  return overflowing;
}

/** A row's button: the visible word first, then (for screen readers) what it acts on, so the
 * accessible name is "Edit Giro" while the button shows "Edit". */
export function RowAction({ label, subject, type = "button", ...button }: {
  label: string; subject: string;
} & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type={type} {...button}>
      {label}<span className="visually-hidden"> {subject}</span>
    </button>
  );
}
