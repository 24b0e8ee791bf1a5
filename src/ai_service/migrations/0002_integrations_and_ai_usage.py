from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from ai_service.integrations.models import IntegrationState
from ai_service.integrations.providers import Provider


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AiUsage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('ai_service.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='ai_usage', on_delete=OnDelete.SET_NULL)),
                ('provider', fields.CharField(max_length=32)),
                ('model', fields.CharField(max_length=128)),
                ('operation', fields.CharField(max_length=16)),
                ('purpose', fields.CharField(default='', max_length=64)),
                ('input_tokens', fields.IntField(default=0)),
                ('output_tokens', fields.IntField(default=0)),
                ('latency_ms', fields.IntField(default=0)),
                ('cost_usd', fields.DecimalField(default=0, max_digits=14, decimal_places=6)),
                ('succeeded', fields.BooleanField(default=True)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ai_usage', 'app': 'ai_service', 'pk_attr': 'id', 'table_description': 'One call to a model provider: who, which model, how many tokens, how long, what it cost.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Integration',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=40)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='integrations', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharEnumField(description='OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOCARDLESS: GOCARDLESS\nENABLE_BANKING: ENABLE_BANKING\nTELEGRAM: TELEGRAM', enum_type=Provider, max_length=32)),
                ('settings', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('secrets', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('masks', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=IntegrationState.UNTESTED, description='UNTESTED: UNTESTED\nCONNECTED: CONNECTED\nFAILED: FAILED', enum_type=IntegrationState, max_length=16)),
                ('last_checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'integrations', 'app': 'ai_service', 'unique_together': (('scope', 'provider'),), 'pk_attr': 'id', 'table_description': "One provider's credentials for the whole instance (owner NULL) or for one user."},
            bases=['Model'],
        ),
    ]
