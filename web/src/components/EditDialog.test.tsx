import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { fieldErrors, type ServerError } from "../lib/errors";
import { ConfirmDialog } from "./Dialog";
import { EditDialog } from "./EditDialog";
import { Field } from "./Field";

function NameDialog({ onSubmit, serverErrors = [], busy = false }: { onSubmit: (name: string) => void; serverErrors?: ServerError[]; busy?: boolean }) {
  const [name, setName] = useState("Giro");
  const [open, setOpen] = useState(true);
  const errors = fieldErrors(serverErrors, ["name"]);
  if (!open) return <p>closed</p>;
  return (
    <EditDialog title="Edit account" submitLabel="Save" busy={busy} errors={errors.others}
      onSubmit={() => onSubmit(name)} onClose={() => setOpen(false)}>
      <Field label="Name" error={errors.field("name")}><input value={name} onChange={(e) => setName(e.target.value)} /></Field>
    </EditDialog>
  );
}

describe("EditDialog", () => {
  it("is a named dialog whose form submits its fields", async () => {
    const onSubmit = vi.fn();
    render(<NameDialog onSubmit={onSubmit} />);
    const dialog = screen.getByRole("dialog", { name: "Edit account" });
    await userEvent.clear(within(dialog).getByLabelText("Name"));
    await userEvent.type(within(dialog).getByLabelText("Name"), "Main{Enter}");
    expect(onSubmit).toHaveBeenCalledWith("Main");
  });

  it("shows each error once: under its field, or above the form", () => {
    render(<NameDialog onSubmit={() => undefined} serverErrors={[
      { message: "A name is needed", field: "name" }, { message: "Not allowed", code: "FORBIDDEN" },
    ]} />);
    const alerts = screen.getAllByRole("alert");
    expect(alerts.map((a) => a.textContent)).toEqual(["Not allowed", "A name is needed"]);
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
  });

  it("says it is working while busy, and Cancel closes it", async () => {
    render(<NameDialog onSubmit={() => undefined} busy />);
    expect(screen.getByRole("button", { name: "Saving…" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByText("closed")).toBeInTheDocument();
  });
});

describe("ConfirmDialog", () => {
  it("stays open with the server's refusal", async () => {
    const onConfirm = vi.fn();
    render(<ConfirmDialog open title="Delete this rule?" message="It stops running." confirmLabel="Delete" danger
      error={[{ message: "The rule is in use" }]} onConfirm={onConfirm} onClose={() => undefined} />);
    const dialog = screen.getByRole("dialog", { name: "Delete this rule?" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The rule is in use");
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(onConfirm).toHaveBeenCalled();
  });
});
