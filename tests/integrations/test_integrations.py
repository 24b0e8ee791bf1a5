"""The integrations vault over GraphQL: write-only secrets, scopes, validation, audit, key loss
and rotation. Every secret is searched for in responses, logs and the raw database."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ai_service.core.errors import IntegrationUnavailable
from ai_service.core.logging import JsonFormatter
from ai_service.integrations.providers import Provider
from support.accounts import make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.processes import run_cli

OPENAI_SECRET = "sk-proj-" + "q7Vd2LmX9pR4tY8w" * 3 + "9f2a"
CLAUDE_SECRET = "sk-ant-api03-" + "Zx81KpQ0rT5uW3vY" * 3 + "b7c1"

FIELDS = "provider configured scope status lastCheckedAt lastError fields { name secret isSet value }"
SET = f"""mutation($p: IntegrationProvider!, $v: [IntegrationValueInput!]!, $s: IntegrationScope) {{
  setIntegration(provider: $p, values: $v, scope: $s) {{ {FIELDS} }} }}"""
LIST = f"query($s: IntegrationScope) {{ integrations(scope: $s) {{ {FIELDS} }} }}"
DELETE = """mutation($p: IntegrationProvider!, $s: IntegrationScope) {
  deleteIntegration(provider: $p, scope: $s) }"""
PROVIDERS = """{ integrationProviders { provider label notice
  fields { name label kind secret required default choices } } }"""
AUDIT = "{ auditLog(first: 50) { edges { node { action details } } } }"


def values(**fields: str | None) -> list[dict[str, str | None]]:
    return [{"key": k, "value": v} for k, v in fields.items()]


def field_map(integration: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in integration["fields"]}


def by_provider(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["provider"]: i for i in items}


def database_bytes(server: LiveServer) -> bytes:
    """Everything the database holds, as an attacker with the file or a dump would see it."""
    settings = server.settings
    if settings.uses_sqlite:
        # Read by another process: closing a descriptor of the file in this one would drop the
        # server's SQLite locks (POSIX locks are per process), and a later CLI run would then
        # delete the WAL the server still writes to.
        path = settings.sqlite_path
        files = [str(p) for p in (path, Path(f"{path}-wal")) if p.exists()]
        return subprocess.run(["cat", *files], capture_output=True, check=True, timeout=60).stdout
    url = settings.database_url.replace("postgres://", "postgresql://", 1)
    return subprocess.run(["pg_dump", "--data-only", url], capture_output=True, check=True,
                          timeout=60).stdout


def test_providers_describe_their_forms(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    providers = by_provider(gql.data(PROVIDERS, token=admin["accessToken"])
                            ["integrationProviders"])
    assert list(providers) == ["OPENAI", "ANTHROPIC", "GOCARDLESS", "ENABLE_BANKING", "TELEGRAM"]
    openai = {f["name"]: f for f in providers["OPENAI"]["fields"]}
    assert openai["apiKey"] == {"name": "apiKey", "label": "API key", "kind": "SECRET",
                                "secret": True, "required": True, "default": None,
                                "choices": []}
    assert openai["embeddingModel"]["default"] == "text-embedding-3-small"
    gocardless = {f["name"]: f for f in providers["GOCARDLESS"]["fields"]}
    assert gocardless["secretId"]["secret"]
    assert gocardless["secretKey"]["secret"]
    assert gocardless["environment"]["choices"] == ["sandbox", "live"]
    assert "July 2025" in providers["GOCARDLESS"]["notice"]
    assert {f["name"]: f["kind"] for f in providers["ENABLE_BANKING"]["fields"]}["privateKey"] \
        == "PEM"
    assert [f["name"] for f in providers["TELEGRAM"]["fields"]] == [
        "botToken", "chatId", "alertsEnabled"]
    assert gql.error(PROVIDERS)["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_secret_is_write_only_and_never_stored_or_logged_in_plaintext(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = admin["accessToken"]
    response = gql.raw(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET,
                                                         organization="org-home")}, token=token)
    assert OPENAI_SECRET not in response.text
    saved = response.json()["data"]["setIntegration"]
    assert saved["configured"]
    assert saved["scope"] == "GLOBAL"
    assert saved["status"] == "UNTESTED"
    fields = field_map(saved)
    assert fields["apiKey"] == {"name": "apiKey", "secret": True, "isSet": True,
                                "value": "sk-…9f2a"}
    assert fields["organization"]["value"] == "org-home"
    assert fields["chatModel"] == {"name": "chatModel", "secret": False, "isSet": False,
                                   "value": "gpt-4.1-mini"}  # the default, shown as such

    listed = gql.raw(LIST, token=token)
    assert OPENAI_SECRET not in listed.text
    assert field_map(by_provider(listed.json()["data"]["integrations"])["OPENAI"])["apiKey"][
        "value"] == "sk-…9f2a"

    # The other domains get the secret back, opened, from the service.
    config = server.call(server.services.integrations.resolve(Provider.OPENAI, None))
    assert config["apiKey"] == OPENAI_SECRET

    # Something logs it by mistake: the line carries [redacted], not the key.
    logging.getLogger("ai_service.test").warning("calling with %s", OPENAI_SECRET)
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines
    assert not any(OPENAI_SECRET in line for line in lines)
    assert any("[redacted]" in line for line in lines)

    audit = gql.raw(AUDIT, token=token)
    assert OPENAI_SECRET not in audit.text
    event = next(e["node"] for e in audit.json()["data"]["auditLog"]["edges"]
                 if e["node"]["action"] == "integration.set")
    details = event["details"]
    assert (json.loads(details) if isinstance(details, str) else details) == {
        "provider": "OPENAI", "scope": "GLOBAL", "fields": ["apiKey", "organization"]}

    raw = database_bytes(server)
    assert OPENAI_SECRET.encode() not in raw
    assert OPENAI_SECRET[8:40].encode() not in raw  # not even a long piece of it
    assert b"org-home" in raw  # the search works: plain settings are found in the same bytes


def test_partial_updates_keep_the_other_fields(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    gql.data(SET, {"p": "ANTHROPIC", "v": values(apiKey=CLAUDE_SECRET, maxTokens="2048")},
             token=token)
    updated = gql.data(SET, {"p": "ANTHROPIC", "v": values(model="claude-opus-4-1")},
                       token=token)["setIntegration"]
    fields = field_map(updated)
    assert fields["apiKey"]["isSet"]
    assert fields["apiKey"]["value"] == "sk-…b7c1"
    assert fields["maxTokens"]["value"] == "2048"
    assert fields["model"]["value"] == "claude-opus-4-1"
    # Clearing an optional field brings back its default.
    cleared = gql.data(SET, {"p": "ANTHROPIC", "v": values(maxTokens=None)}, token=token)
    assert field_map(cleared["setIntegration"])["maxTokens"] == {
        "name": "maxTokens", "secret": False, "isSet": False, "value": "1024"}


@pytest.mark.parametrize(("provider", "given", "field", "message"), [
    ("OPENAI", {"apiKey": OPENAI_SECRET, "temperature": "1"}, "temperature", "has no field"),
    ("OPENAI", {"organization": "org-x"}, "apiKey", "needs apiKey"),
    ("ANTHROPIC", {"apiKey": CLAUDE_SECRET, "maxTokens": "lots"}, "maxTokens", "whole number"),
    ("ANTHROPIC", {"apiKey": CLAUDE_SECRET, "maxTokens": "0"}, "maxTokens", "between 1 and"),
    ("GOCARDLESS", {"secretId": "a" * 20, "secretKey": "b" * 20, "environment": "prod"},
     "environment", "sandbox, live"),
    ("TELEGRAM", {"botToken": "not-a-bot-token-but-secretish", "chatId": "1"}, "botToken",
     "123456789:AA"),
    ("TELEGRAM", {"botToken": "123456789:" + "A" * 35, "chatId": "me"}, "chatId", "chat ID"),
    ("ENABLE_BANKING", {"applicationId": "5f3c0a4e-1b2c-4d5e-8f90-123456789abc",
                        "privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n"
                                      "-----END PRIVATE KEY-----"}, "privateKey", "PEM"),
])
def test_invalid_values_are_refused_by_name_without_echoing_them(
    gql: GraphQLClient, admin: dict[str, Any], provider: str, given: dict[str, str], field: str,
    message: str,
) -> None:
    error = gql.error(SET, {"p": provider, "v": values(**given)}, token=admin["accessToken"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert message in error["message"]
    for value in given.values():
        if len(value) > 8:
            assert value not in error["message"]
    listed = by_provider(gql.data(LIST, token=admin["accessToken"])["integrations"])
    assert listed[provider]["configured"] is False  # nothing half-written


def test_a_required_field_cannot_be_cleared(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    error = gql.error(SET, {"p": "OPENAI", "v": values(apiKey="")}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "apiKey"}


def test_members_have_their_own_and_see_only_whether_the_global_one_exists(
    gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    token = admin["accessToken"]
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    alice = make_member(gql, token, "alice@example.com")["accessToken"]
    bob = make_member(gql, token, "bob@example.com")["accessToken"]

    seen = by_provider(gql.data(LIST, token=alice)["integrations"])["OPENAI"]
    assert seen["configured"]
    assert seen["scope"] == "GLOBAL"
    assert all(f["value"] is None for f in seen["fields"])  # a member sees no global value
    assert gql.error(LIST, {"s": "GLOBAL"}, token=alice)["extensions"]["code"] == "FORBIDDEN"
    refused = gql.error(SET, {"p": "OPENAI", "v": values(apiKey=CLAUDE_SECRET), "s": "GLOBAL"},
                        token=alice)
    assert refused["extensions"]["code"] == "FORBIDDEN"

    alice_key = "sk-alice-" + "k" * 30 + "a11c"
    own = gql.data(SET, {"p": "OPENAI", "v": values(apiKey=alice_key)},
                   token=alice)["setIntegration"]
    assert own["scope"] == "USER"
    assert field_map(own)["apiKey"]["value"] == "sk-…a11c"
    # Alice's own one now applies to her; Bob still sees the global one, nothing of Alice's.
    assert by_provider(gql.data(LIST, token=alice)["integrations"])["OPENAI"]["scope"] == "USER"
    bobs = gql.raw(LIST, token=bob)
    assert "a11c" not in bobs.text
    assert by_provider(bobs.json()["data"]["integrations"])["OPENAI"]["scope"] == "GLOBAL"
    assert not any(i["configured"] for i in
                   gql.data(LIST, {"s": "USER"}, token=bob)["integrations"])
    assert gql.data(DELETE, {"p": "OPENAI"}, token=bob)["deleteIntegration"] is False
    # The admin's global integration is untouched by all this.
    admin_view = by_provider(gql.data(LIST, {"s": "GLOBAL"}, token=token)["integrations"])
    assert field_map(admin_view["OPENAI"])["apiKey"]["value"] == "sk-…9f2a"


def test_delete_forgets_and_is_audited_without_values(
    gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    token = admin["accessToken"]
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    assert gql.data(DELETE, {"p": "OPENAI"}, token=token)["deleteIntegration"] is True
    assert gql.data(DELETE, {"p": "OPENAI"}, token=token)["deleteIntegration"] is False
    assert by_provider(gql.data(LIST, token=token)["integrations"])["OPENAI"]["configured"] \
        is False
    audit = gql.raw(AUDIT, token=token)
    actions = [e["node"]["action"] for e in audit.json()["data"]["auditLog"]["edges"]]
    assert actions[:2] == ["integration.deleted", "integration.set"]
    assert OPENAI_SECRET not in audit.text


def test_a_lost_key_breaks_only_the_integration_sealed_with_it(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    """OpenAI sealed under a key that is no longer in INTEGRATION_CONFIG_KEY: it says which key
    it needs; Claude, sealed under the current key, and the app keep working."""
    from ai_service.core.crypto import Keyring
    from ai_service.integrations.models import Integration

    token = admin["accessToken"]
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    gql.data(SET, {"p": "ANTHROPIC", "v": values(apiKey=CLAUDE_SECRET)}, token=token)
    service = server.services.integrations
    lost = Keyring.parse("gone:" + base64.b64encode(secrets.token_bytes(32)).decode())

    async def reseal_openai_under_a_lost_key() -> None:
        row = await Integration.get(scope="global", provider=Provider.OPENAI)
        aad = b"ai-service/integration/v1\x1fglobal\x1fOPENAI\x1fapiKey"
        row.secrets = {"apiKey": lost.seal(OPENAI_SECRET, aad)}
        await row.save()

    server.call(reseal_openai_under_a_lost_key())
    listed = by_provider(gql.data(LIST, token=token)["integrations"])
    assert listed["OPENAI"]["status"] == "FAILED"
    assert "'gone'" in listed["OPENAI"]["lastError"]
    assert listed["ANTHROPIC"]["status"] == "UNTESTED"
    assert listed["ANTHROPIC"]["lastError"] is None

    with pytest.raises(IntegrationUnavailable) as caught:
        server.call(service.resolve(Provider.OPENAI, None))
    assert caught.value.code == "INTEGRATION_UNAVAILABLE"
    assert "'gone'" in str(caught.value)
    assert server.call(service.resolve(Provider.ANTHROPIC, None))["apiKey"] == CLAUDE_SECRET

    status = gql.data("{ integrationStatus { status configured failed untested } }", token=token)
    assert status["integrationStatus"] == {"status": "DEGRADED", "configured": 2, "failed": 1,
                                           "untested": 1}
    tested = gql.data("""mutation { testIntegration(provider: OPENAI) { status lastError } }""",
                      token=token)["testIntegration"]
    assert tested["status"] == "FAILED"
    assert "'gone'" in tested["lastError"]
    # Entering the secret again heals it.
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    assert server.call(service.resolve(Provider.OPENAI, None))["apiKey"] == OPENAI_SECRET


def test_a_sealed_secret_copied_to_another_row_does_not_open(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from ai_service.integrations.models import Integration

    token = admin["accessToken"]
    member = make_member(gql, token)
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey="sk-mine-" + "m" * 30)},
             token=member["accessToken"])

    async def copy_global_secret_into_the_members_row() -> None:
        source = await Integration.get(scope="global", provider=Provider.OPENAI)
        target = await Integration.get(provider=Provider.OPENAI, scope__startswith="user:")
        target.secrets = dict(source.secrets)
        await target.save()

    server.call(copy_global_secret_into_the_members_row())
    with pytest.raises(IntegrationUnavailable) as caught:
        server.call(server.services.integrations.resolve(Provider.OPENAI,
                                                         int(member["user"]["id"])))
    assert "altered or moved" in str(caught.value)


def test_rotate_key_reseals_everything_once(
    server: LiveServer, backend_env: dict[str, str], gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from ai_service.core.crypto import Keyring
    from ai_service.integrations.models import Integration

    token = admin["accessToken"]
    gql.data(SET, {"p": "OPENAI", "v": values(apiKey=OPENAI_SECRET)}, token=token)
    gql.data(SET, {"p": "GOCARDLESS", "v": values(secretId="id-" + "1" * 30,
                                                   secretKey="key-" + "2" * 40)}, token=token)
    old = server.settings.integration_config_key
    new = "k2:" + base64.b64encode(secrets.token_bytes(32)).decode()
    env = {**backend_env, "INTEGRATION_CONFIG_KEY": f"{new},{old}"}

    first = run_cli(env, "rotate-key")
    assert first.returncode == 0, first.stderr
    assert "re-sealed 3 secret(s) in 2 integration(s) under key 'k2'" in first.stdout
    again = run_cli(env, "rotate-key")
    assert "re-sealed 0 secret(s)" in again.stdout

    async def sealed_values() -> list[str]:
        return [v for row in await Integration.all() for v in row.secrets.values()]

    assert all(v.startswith("k2:") for v in server.call(sealed_values()))
    # The old key can go: the new one alone opens everything.
    from ai_service.integrations.service import IntegrationService

    alone = IntegrationService(Keyring.parse(new), server.services.audit,
                               server.services.integrations._checker,
                               server.services.integrations._test_limiter)
    assert server.call(alone.resolve(Provider.OPENAI, None))["apiKey"] == OPENAI_SECRET
    assert server.call(alone.resolve(Provider.GOCARDLESS, None))["secretKey"] == "key-" + "2" * 40

    # Without the key the secrets were sealed with, rotation refuses and changes nothing.
    other = "k3:" + base64.b64encode(secrets.token_bytes(32)).decode()
    refused = run_cli({**backend_env, "INTEGRATION_CONFIG_KEY": other}, "rotate-key")
    assert refused.returncode == 1
    assert "'k2'" in refused.stderr
    assert "nothing was re-sealed" in refused.stderr
    assert all(v.startswith("k2:") for v in server.call(sealed_values()))


def test_a_bad_keyring_stops_the_cli_with_the_reason(backend_env: dict[str, str]) -> None:
    result = run_cli({**backend_env, "INTEGRATION_CONFIG_KEY": "k1:abc,k1:abc"}, "rotate-key")
    assert result.returncode == 1
    assert "has 2 bytes" in result.stderr
    assert "Traceback" not in result.stderr
