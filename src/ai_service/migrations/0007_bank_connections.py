from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from ai_service.finance.bank_models import ConnectionStatus


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0006_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BankConnection',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='bank_connections', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=20)),
                ('institution_id', fields.CharField(max_length=200)),
                ('institution_name', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=ConnectionStatus.PENDING, description='PENDING: PENDING\nLINKED: LINKED\nEXPIRED: EXPIRED\nREJECTED: REJECTED\nREVOKED: REVOKED\nFAILED: FAILED', enum_type=ConnectionStatus, max_length=16)),
                ('reference', fields.CharField(unique=True, max_length=64)),
                ('provider_ref', fields.CharField(null=True, max_length=200)),
                ('return_url', fields.CharField(null=True, max_length=2000)),
                ('callback_url', fields.CharField(null=True, max_length=500)),
                ('max_history_days', fields.IntField(null=True)),
                ('consent_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_sync_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('details_known', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sync_generation', fields.IntField(default=0)),
                ('reminded_days', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bank_connections', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='bank_connection',
            field=fields.ForeignKeyField('ai_service.BankConnection', source_field='bank_connection_id', null=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL),
        ),
    ]
