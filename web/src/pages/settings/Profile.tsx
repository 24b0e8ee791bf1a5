import { PageHeader } from "../../components/PageHeader";

export default function Profile() {
  return <PageHeader title="Profile" />;
}
