"""The connection tests (`make_checker`) against the fake provider APIs, through the real SDKs."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import jwt
import pytest

from ai_service.config import Settings, load_settings
from ai_service.integrations.checks import enable_banking_jwt, make_checker
from ai_service.integrations.providers import PROVIDERS, Provider
from ai_service.integrations.service import CheckResult, IntegrationConfig
from fakes.anthropic import ANTHROPIC_KEY
from fakes.enablebanking import (
    ENABLE_BANKING_APP_ID,
    ENABLE_BANKING_KEY_PEM,
    new_rsa_key_pem,
    public_key_pem,
)
from fakes.gocardless import GOCARDLESS_SECRET_ID, GOCARDLESS_SECRET_KEY
from fakes.openai import OPENAI_KEY, OPENAI_ORG
from fakes.server import FakeProviders
from fakes.telegram import TELEGRAM_BOT_USERNAME, TELEGRAM_CHAT_ID, TELEGRAM_TOKEN
from support.processes import free_port

OTHER_KEY_PEM = new_rsa_key_pem()

VALID: dict[Provider, dict[str, str]] = {
    Provider.OPENAI: {"apiKey": OPENAI_KEY},
    Provider.ANTHROPIC: {"apiKey": ANTHROPIC_KEY},
    Provider.TELEGRAM: {"botToken": TELEGRAM_TOKEN, "chatId": TELEGRAM_CHAT_ID},
    Provider.GOCARDLESS: {"secretId": GOCARDLESS_SECRET_ID, "secretKey": GOCARDLESS_SECRET_KEY},
    Provider.ENABLE_BANKING: {"applicationId": ENABLE_BANKING_APP_ID,
                              "privateKey": ENABLE_BANKING_KEY_PEM, "environment": "sandbox"},
}
WRONG: dict[Provider, dict[str, str]] = {
    Provider.OPENAI: {"apiKey": "sk-proj-WrongKeyWrongKeyWrongKey0123456789"},
    Provider.ANTHROPIC: {"apiKey": "sk-ant-api03-WrongKeyWrongKeyWrongKey0123456789"},
    Provider.TELEGRAM: {"botToken": "123456789:AAWrongTokenWrongTokenWrongToken_-x"},
    Provider.GOCARDLESS: {"secretKey": "WrongSecretKeyWrongSecretKey0123456789"},
    # Signed with a key the application was not registered with.
    Provider.ENABLE_BANKING: {"privateKey": OTHER_KEY_PEM},
}
LABELS = {p: spec.label for p, spec in PROVIDERS.items()}


def config_for(provider: Provider, **values: str) -> IntegrationConfig:
    """What IntegrationService hands a checker: cleaned values, defaults filled in."""
    spec = PROVIDERS[provider]
    merged = {f.name: f.default for f in spec.fields if f.default is not None}
    merged.update(VALID[provider])
    merged.update(values)
    cleaned = {name: spec.field(name).clean(value) for name, value in merged.items()}  # type: ignore[union-attr]
    secrets = tuple(cleaned[name] for name in spec.secret_fields if name in cleaned)
    return IntegrationConfig(1, provider, "global", None, cleaned, secrets)


def settings_at(fake: FakeProviders, timeout: float = 5) -> Settings:
    return load_settings(environ={**fake.env(), "INTEGRATION_TIMEOUT_SECONDS": str(timeout)},
                         env_file=None)


def run_check(settings: Settings, config: IntegrationConfig) -> CheckResult:
    return asyncio.run(make_checker(settings)(config))


def assert_no_secret(result: CheckResult, config: IntegrationConfig) -> None:
    shown = " ".join([result.message or "", *result.details.keys(), *result.details.values()])
    for secret in config.secrets:
        for line in secret.strip().splitlines():  # any line of a PEM key, too
            if len(line) >= 8 and not line.startswith("-----"):
                assert line not in shown, f"a secret leaked into {shown!r}"
        if config.provider is Provider.TELEGRAM:  # the part after the bot id is the secret
            assert secret.split(":")[1] not in shown
    assert "/bot" not in shown


# --------------------------------------------------------------------------- success


def test_openai_lists_models_with_the_key_once(fake_providers: FakeProviders) -> None:
    config = config_for(Provider.OPENAI, organization=OPENAI_ORG)
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(True, None, {"models": result.details["models"]})
    assert int(result.details["models"]) > 5
    [request] = fake_providers.requests_to("openai")
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert request.headers["openai-organization"] == OPENAI_ORG


def test_openai_names_configured_models_the_key_cannot_use(
    fake_providers: FakeProviders,
) -> None:
    config = config_for(Provider.OPENAI, chatModel="gpt-7-imaginary")
    result = run_check(settings_at(fake_providers), config)
    assert result.ok
    assert result.details["chatModel"] == ("gpt-7-imaginary is not among the models this key "
                                           "can use")
    assert "embeddingModel" not in result.details
    assert "organization" not in fake_providers.requests_to("openai")[0].headers


def test_anthropic_lists_models_and_accepts_the_alias_of_a_dated_model(
    fake_providers: FakeProviders,
) -> None:
    result = run_check(settings_at(fake_providers), config_for(Provider.ANTHROPIC))
    assert result.ok, result
    assert "model" not in result.details  # claude-sonnet-4-5 is claude-sonnet-4-5-20250929
    [request] = fake_providers.requests_to("anthropic")
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["x-api-key"] == ANTHROPIC_KEY
    assert request.headers["anthropic-version"] == "2023-06-01"

    unknown = run_check(settings_at(fake_providers),
                        config_for(Provider.ANTHROPIC, model="claude-imaginary-9"))
    assert unknown.ok
    assert "claude-imaginary-9 is not among" in unknown.details["model"]


def test_telegram_finds_the_bot_and_the_chat(fake_providers: FakeProviders) -> None:
    result = run_check(settings_at(fake_providers), config_for(Provider.TELEGRAM))
    assert result == CheckResult(True, None, {"bot": f"@{TELEGRAM_BOT_USERNAME}",
                                              "chat": "test_user"})
    paths = [r.path.rsplit("/", 1)[1] for r in fake_providers.requests_to("telegram")]
    assert paths == ["getMe", "getChat"]
    assert fake_providers.telegram_messages == []  # a test does not message anyone


def test_telegram_reaches_a_channel_by_name(fake_providers: FakeProviders) -> None:
    fake_providers.add_telegram_chat(-1001234567890, type="channel", title="Alerts",
                                     username="ai_alerts")
    result = run_check(settings_at(fake_providers),
                       config_for(Provider.TELEGRAM, chatId="@ai_alerts"))
    assert result.ok, result
    assert result.details["chat"] == "Alerts"


def test_gocardless_gets_a_token(fake_providers: FakeProviders) -> None:
    result = run_check(settings_at(fake_providers), config_for(Provider.GOCARDLESS))
    assert result == CheckResult(True, None, {"accessExpiresSeconds": "86400"})
    [request] = fake_providers.requests_to("gocardless")
    assert (request.method, request.path) == ("POST", "/api/v2/token/new/")
    assert request.json == {"secret_id": GOCARDLESS_SECRET_ID,
                            "secret_key": GOCARDLESS_SECRET_KEY}


def test_enable_banking_reads_the_application(fake_providers: FakeProviders) -> None:
    result = run_check(settings_at(fake_providers), config_for(Provider.ENABLE_BANKING))
    assert result.ok, result
    assert result.details["environment"] == "SANDBOX"
    assert "FI" in result.details["countries"]


def test_enable_banking_jwt_is_what_the_api_documents() -> None:
    config = config_for(Provider.ENABLE_BANKING)
    token = enable_banking_jwt(config, now=1_700_000_000)
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "RS256",
                                                "kid": ENABLE_BANKING_APP_ID}
    claims = jwt.decode(token, public_key_pem(ENABLE_BANKING_KEY_PEM), algorithms=["RS256"],
                        audience="api.enablebanking.com", issuer="enablebanking.com",
                        options={"verify_exp": False})
    assert claims["iat"] == 1_700_000_000
    assert 0 < claims["exp"] - claims["iat"] <= 86400
    assert abs(jwt.decode(enable_banking_jwt(config), options={"verify_signature": False})["iat"]
               - time.time()) < 5


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("provider", list(Provider))
def test_wrong_credentials_are_reported_without_the_secret(
    fake_providers: FakeProviders, provider: Provider
) -> None:
    config = config_for(provider, **WRONG[provider])
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(False, f"{LABELS[provider]} rejected the credentials (401)")
    assert_no_secret(result, config)


def test_a_telegram_token_the_bot_api_cannot_parse_is_refused(
    fake_providers: FakeProviders,
) -> None:
    config = config_for(Provider.TELEGRAM, botToken="123456789:AAShortButValidForTheForm_0123")
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(False, "Telegram rejected the credentials (404)")
    assert_no_secret(result, config)


def test_an_organization_the_key_does_not_belong_to_is_refused(
    fake_providers: FakeProviders,
) -> None:
    config = config_for(Provider.OPENAI, organization="org-someoneElse")
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(False, "OpenAI rejected the credentials (401)")


@pytest.mark.parametrize("provider", list(Provider))
def test_rate_limiting_is_reported_and_not_retried(
    fake_providers: FakeProviders, provider: Provider
) -> None:
    fake_providers.fail_next(provider, 429, times=3, retry_after=1)
    config = config_for(provider)
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(
        False, f"{LABELS[provider]} is rate-limiting requests (429); try again later")
    assert len(fake_providers.requests_to(provider)) == 1
    assert_no_secret(result, config)


@pytest.mark.parametrize(("provider", "status"), [
    (Provider.OPENAI, 500), (Provider.ANTHROPIC, 529), (Provider.TELEGRAM, 502),
    (Provider.GOCARDLESS, 503), (Provider.ENABLE_BANKING, 500),
])
def test_server_errors_are_reported_and_not_retried(
    fake_providers: FakeProviders, provider: Provider, status: int
) -> None:
    fake_providers.fail_next(provider, status, times=3)
    result = run_check(settings_at(fake_providers), config_for(provider))
    assert result == CheckResult(False, f"{LABELS[provider]} answered {status}")
    assert len(fake_providers.requests_to(provider)) == 1


@pytest.mark.parametrize("provider", list(Provider))
def test_a_slow_provider_times_out(fake_providers: FakeProviders, provider: Provider) -> None:
    fake_providers.delay(provider, 5)
    config = config_for(provider)
    started = time.monotonic()
    result = run_check(settings_at(fake_providers, timeout=0.5), config)
    assert time.monotonic() - started < 3
    assert result == CheckResult(False, f"{LABELS[provider]}: no answer within 0.5s")
    assert len(fake_providers.requests_to(provider)) == 1


@pytest.mark.parametrize("provider", list(Provider))
def test_an_unreachable_provider_is_named_by_host(
    fake_providers: FakeProviders, provider: Provider
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = dataclasses.replace(
        settings_at(fake_providers), openai_base_url=f"{closed}/v1",
        anthropic_base_url=closed, telegram_api_url=closed, gocardless_api_url=closed,
        enable_banking_api_url=closed,
    )
    config = config_for(provider)
    result = run_check(settings, config)
    assert result == CheckResult(False, f"{LABELS[provider]}: could not reach "
                                        f"{closed.removeprefix('http://')}")
    assert_no_secret(result, config)


def test_telegram_names_a_chat_the_bot_cannot_reach(fake_providers: FakeProviders) -> None:
    config = config_for(Provider.TELEGRAM, chatId="-1009999999999")
    result = run_check(settings_at(fake_providers), config)
    assert not result.ok
    assert result.message == ("Telegram: the bot cannot reach chat -1009999999999 (Bad Request: "
                              "chat not found); send the bot a message or add it to the group "
                              "first")
    assert result.details == {"bot": f"@{TELEGRAM_BOT_USERNAME}"}
    assert_no_secret(result, config)


def test_telegram_names_a_chat_that_blocked_the_bot(fake_providers: FakeProviders) -> None:
    fake_providers.fail_next(Provider.TELEGRAM, 403, path="getChat")
    result = run_check(settings_at(fake_providers), config_for(Provider.TELEGRAM))
    assert result.message == ("Telegram: the bot cannot reach chat 987654321 (Forbidden: bot was "
                              "blocked by the user); send the bot a message or add it to the "
                              "group first")


def test_enable_banking_environment_must_match(fake_providers: FakeProviders) -> None:
    config = config_for(Provider.ENABLE_BANKING, environment="production")
    result = run_check(settings_at(fake_providers), config)
    assert result.message == ("Enable Banking: the application is registered for SANDBOX, but "
                              "this integration is set to production")
    assert not result.ok
    assert result.details["application"] == "ai-service tests"
    assert_no_secret(result, config)


def test_enable_banking_application_must_be_active(fake_providers: FakeProviders) -> None:
    fake_providers.register_enable_banking_app(ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM,
                                               environment="PRODUCTION", active=False)
    config = config_for(Provider.ENABLE_BANKING, environment="production")
    result = run_check(settings_at(fake_providers), config)
    assert result.message == ("Enable Banking: the application is not active yet; activate it "
                              "in the Enable Banking control panel")
    assert not result.ok


def test_enable_banking_unknown_application_is_refused(fake_providers: FakeProviders) -> None:
    config = config_for(Provider.ENABLE_BANKING,
                        applicationId="11111111-2222-4333-8444-555555555555")
    result = run_check(settings_at(fake_providers), config)
    assert result == CheckResult(False, "Enable Banking rejected the credentials (401)")
