from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from ai_service.finance.models import SuggestionStatus


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0007_bank_connections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CategorySuggestion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='category_suggestions', on_delete=OnDelete.CASCADE)),
                ('transaction', fields.ForeignKeyField('ai_service.Transaction', source_field='transaction_id', db_constraint=True, to_field='id', related_name='suggestions', on_delete=OnDelete.CASCADE)),
                ('category', fields.ForeignKeyField('ai_service.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='suggestions', on_delete=OnDelete.CASCADE)),
                ('confidence', fields.FloatField()),
                ('conditions', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('matches', fields.IntField(default=0)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('status', fields.CharEnumField(default=SuggestionStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nREJECTED: REJECTED', enum_type=SuggestionStatus, max_length=16)),
                ('rule', fields.ForeignKeyField('ai_service.Rule', source_field='rule_id', null=True, db_constraint=True, to_field='id', related_name='suggestions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'category_suggestions', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Transaction',
            index=Index(fields=['import_batch_id']),
        ),
    ]
