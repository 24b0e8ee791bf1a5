"""The finance domain's root mutations: accounts, imports, categorising, rules, clients and the
AI's category suggestions."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.finance.inputs import ImportRequest
from ai_service.finance.models import CategoryKind, ImportFormat
from ai_service.graphql.context import Context
from ai_service.graphql.finance.imports import CsvMappingInput, ImportReport
from ai_service.graphql.finance.inputs import (
    ClientInput,
    CreateAccountInput,
    RuleInput,
    UpdateAccountInput,
    parse_ids,
)
from ai_service.graphql.finance.types import (
    AccountNode,
    CategorySuggestions,
    CategorySuggestionType,
    CategoryType,
    ClientType,
    RulesApplied,
    RuleType,
    TransactionType,
)
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.uploads import uploaded


@strawberry.type
class FinanceMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_account(self, info: Info[Context, None],
                             input: CreateAccountInput) -> AccountNode:
        user = await info.context.user()
        return AccountNode.of(await info.context.services.finance.create_account(
            user, input.as_new()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_account(self, info: Info[Context, None], id: strawberry.ID,
                             input: UpdateAccountInput) -> AccountNode:
        user = await info.context.user()
        return AccountNode.of(await info.context.services.finance.update_account(
            user, parse_id(id), input.as_patch()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Hides the account from lists; its transactions stay.")
    async def archive_account(self, info: Info[Context, None], id: strawberry.ID,
                              archived: bool = True) -> AccountNode:
        user = await info.context.user()
        return AccountNode.of(await info.context.services.finance.archive_account(
            user, parse_id(id), archived))

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="A bank file as a multipart upload: CSV, OFX/QFX/QBO, QIF, MT940 or camt "
                    "(told from the file unless `format` says). All or nothing: any bad row "
                    "writes nothing; dryRun previews, with the mapping the file was read by. "
                    "When the file can be read two ways the error names the mapping field "
                    "that settles it. rememberMapping keeps the reading for the account.")
    async def import_transactions(
        self, info: Info[Context, None], account_id: strawberry.ID, file: Upload,
        format: ImportFormat | None = None, mapping: CsvMappingInput | None = None,
        dry_run: bool = False, remember_mapping: bool = False,
    ) -> ImportReport:
        user = await info.context.user()
        upload = uploaded(file)
        request = ImportRequest(
            account_id=parse_id(account_id, "accountId"), format=format,
            mapping=mapping.as_mapping() if mapping else None, filename=upload.filename,
            dry_run=dry_run, remember_mapping=remember_mapping)
        return ImportReport.of(await info.context.services.finance.import_transactions(
            user, request, upload.stream))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="What the account remembers of how its bank files read; "
                                     "null forgets it.")
    async def set_import_mapping(self, info: Info[Context, None], account_id: strawberry.ID,
                                 mapping: CsvMappingInput | None) -> AccountNode:
        user = await info.context.user()
        return AccountNode.of(await info.context.services.finance.set_import_mapping(
            user, parse_id(account_id, "accountId"), mapping.as_mapping() if mapping else None))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Null removes the category.")
    async def categorize_transaction(self, info: Info[Context, None], id: strawberry.ID,
                                     category_id: strawberry.ID | None) -> TransactionType:
        user = await info.context.user()
        category = None if category_id is None else parse_id(category_id, "categoryId")
        return TransactionType.of(await info.context.services.finance.categorize(
            user, parse_id(id), category))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Null unlinks the client.")
    async def set_transaction_client(self, info: Info[Context, None], id: strawberry.ID,
                                     client_id: strawberry.ID | None) -> TransactionType:
        user = await info.context.user()
        client = None if client_id is None else parse_id(client_id, "clientId")
        return TransactionType.of(await info.context.services.finance.assign_client(
            user, parse_id(id), client))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_category(self, info: Info[Context, None], name: str, kind: CategoryKind,
                              parent_id: strawberry.ID | None = None,
                              color: str | None = None) -> CategoryType:
        user = await info.context.user()
        parent = None if parent_id is None else parse_id(parent_id, "parentId")
        return CategoryType.of(await info.context.services.finance.create_category(
            user, name, kind, parent, color))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_rule(self, info: Info[Context, None], input: RuleInput) -> RuleType:
        user = await info.context.user()
        return RuleType.of(await info.context.services.finance.create_rule(user, input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_rule(self, info: Info[Context, None], id: strawberry.ID,
                          input: RuleInput) -> RuleType:
        user = await info.context.user()
        return RuleType.of(await info.context.services.finance.update_rule(
            user, parse_id(id), input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_rule(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.finance.delete_rule(user, parse_id(id))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Runs every enabled rule over all your transactions; "
                                     "what is already set stays.")
    async def apply_rules(self, info: Info[Context, None]) -> RulesApplied:
        user = await info.context.user()
        run = await info.context.services.finance.apply_rules(user)
        return RulesApplied(categorised=run.categorised, assigned_to_clients=run.assigned,
                            tagged=run.tagged)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="The AI proposes a category and a rule for uncategorised "
                                     "transactions (the given ones, else the latest 200).")
    async def suggest_categories(
        self, info: Info[Context, None], transaction_ids: list[strawberry.ID] | None = None,
    ) -> CategorySuggestions:
        user = await info.context.user()
        run = await info.context.services.suggestions.suggest(
            user, parse_ids(transaction_ids, "transactionIds"))
        return CategorySuggestions(
            suggestions=[CategorySuggestionType.of(s) for s in run.suggestions],
            accepted=run.accepted, queued=run.queued, skipped=run.skipped)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Creates the rule (with another category if given) and "
                                     "runs it.")
    async def accept_category_suggestion(
        self, info: Info[Context, None], id: strawberry.ID,
        category_id: strawberry.ID | None = None,
    ) -> CategorySuggestionType:
        user = await info.context.user()
        category = None if category_id is None else parse_id(category_id, "categoryId")
        if category is not None:
            await info.context.services.finance.category(user, category)
        return CategorySuggestionType.of(
            await info.context.services.suggestions.accept(user, parse_id(id), category))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def reject_category_suggestion(self, info: Info[Context, None],
                                         id: strawberry.ID) -> CategorySuggestionType:
        user = await info.context.user()
        return CategorySuggestionType.of(
            await info.context.services.suggestions.reject(user, parse_id(id)))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_client(self, info: Info[Context, None], input: ClientInput) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.create_client(
            user, input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_client(self, info: Info[Context, None], id: strawberry.ID,
                            input: ClientInput) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.update_client(
            user, parse_id(id), input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Its transactions stay, without a client.")
    async def delete_client(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.finance.delete_client(user, parse_id(id))
