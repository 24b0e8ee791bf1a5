import { PageHeader } from "../components/PageHeader";

export default function Dashboard() {
  return <PageHeader title="Dashboard" />;
}
