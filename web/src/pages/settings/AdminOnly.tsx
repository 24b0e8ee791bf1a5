import type { ReactNode } from "react";
import { Alert } from "../../components/Alert";
import { PageHeader } from "../../components/PageHeader";
import { useSession } from "../../lib/useSession";

/** Admin pages: members get a clear explanation instead of a FORBIDDEN error from the server. */
export function AdminOnly({ title, children }: { title: string; children: ReactNode }) {
  const session = useSession();
  if (session?.user.role === "ADMIN") return <>{children}</>;
  return (
    <>
      <PageHeader title={title} />
      <Alert tone="warning" title="For administrators only.">
        This page is available to administrators only. Ask an administrator of this instance if you need a change here.
      </Alert>
    </>
  );
}
