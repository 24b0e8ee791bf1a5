from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from ai_service.documents import keyword
from ai_service.documents.models import DocumentStatus


# Full-text search objects that models cannot describe, per database: an FTS5 table with
# triggers on SQLite, a GIN expression index on PostgreSQL. They live beside the tables, so
# the migrations-match-models test (which compares tables, columns and their indexes) is
# unaffected on SQLite; on PostgreSQL the index is on an expression of `text`.
# NOTE: a later migration that makes SQLite rebuild `document_chunks` drops its triggers:
# run keyword.SQLITE_SETUP again after it.
async def create_keyword_index(apps, schema_editor):
    statements = (keyword.POSTGRES_SETUP if schema_editor.client.capabilities.dialect == "postgres"
                  else keyword.SQLITE_SETUP)
    for sql in statements:
        await schema_editor.client.execute_script(sql)


async def drop_keyword_index(apps, schema_editor):
    statements = (keyword.POSTGRES_TEARDOWN
                  if schema_editor.client.capabilities.dialect == "postgres"
                  else keyword.SQLITE_TEARDOWN)
    for sql in statements:
        await schema_editor.client.execute_script(sql)


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0005_finance_and_tags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('filename', fields.CharField(max_length=255)),
                ('mime_type', fields.CharField(max_length=100)),
                ('size_bytes', fields.BigIntField()),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('page_count', fields.IntField(null=True)),
                ('chunk_count', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=DocumentStatus.PENDING, description='PENDING: PENDING\nPROCESSING: PROCESSING\nREADY: READY\nFAILED: FAILED', enum_type=DocumentStatus, max_length=16)),
                ('error', fields.CharField(null=True, max_length=500)),
                ('note', fields.CharField(null=True, max_length=500)),
                ('tags', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('tag_index', fields.CharField(default='', max_length=1000)),
                ('analysis', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('analyzed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('embedder', fields.CharField(null=True, max_length=100)),
                ('job_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'documents', 'app': 'ai_service', 'unique_together': (('owner', 'sha256'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentChunk',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('ai_service.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='chunks', on_delete=OnDelete.CASCADE)),
                ('owner_id', fields.BigIntField(db_index=True)),
                ('position', fields.IntField()),
                ('page', fields.IntField(null=True)),
                ('text', fields.TextField(unique=False)),
            ],
            options={'table': 'document_chunks', 'app': 'ai_service', 'unique_together': (('document', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(create_keyword_index, drop_keyword_index),
    ]
