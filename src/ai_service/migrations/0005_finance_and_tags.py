from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from ai_service.finance.models import AccountSource, AccountType, CategoryKind, TransactionStatus
from ai_service.tagging.models import TaggedKind


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0004_trading')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('institution', fields.CharField(null=True, max_length=100)),
                ('iban', fields.CharField(null=True, max_length=34)),
                ('currency', fields.CharField(max_length=3)),
                ('type', fields.CharEnumField(default=AccountType.CHECKING, description='CHECKING: CHECKING\nSAVINGS: SAVINGS\nCREDIT_CARD: CREDIT_CARD\nCASH: CASH\nINVESTMENT: INVESTMENT\nLOAN: LOAN\nOTHER: OTHER', enum_type=AccountType, max_length=16)),
                ('source', fields.CharEnumField(default=AccountSource.MANUAL, description='MANUAL: MANUAL\nIMPORT: IMPORT\nGOCARDLESS: GOCARDLESS\nENABLE_BANKING: ENABLE_BANKING', enum_type=AccountSource, max_length=16)),
                ('opening_balance_units', fields.BigIntField(default=0)),
                ('balance_units', fields.BigIntField(null=True)),
                ('balance_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('provider_account_id', fields.CharField(null=True, max_length=200)),
                ('archived', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'accounts', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='categories', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('ai_service.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=80)),
                ('kind', fields.CharEnumField(description='INCOME: INCOME\nEXPENSE: EXPENSE\nTRANSFER: TRANSFER', enum_type=CategoryKind, max_length=16)),
                ('color', fields.CharField(null=True, max_length=7)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'categories', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Client',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='clients', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('business_name', fields.CharField(null=True, max_length=200)),
                ('tax_id', fields.CharField(null=True, max_length=50)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('phone', fields.CharField(null=True, max_length=50)),
                ('address', fields.TextField(null=True, unique=False)),
                ('currency', fields.CharField(null=True, max_length=3)),
                ('payment_terms_days', fields.IntField(null=True)),
                ('notes', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'clients', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='import_batches', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('ai_service.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='import_batches', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=20)),
                ('filename', fields.CharField(null=True, max_length=255)),
                ('sha256', fields.CharField(null=True, max_length=64)),
                ('inserted', fields.IntField(default=0)),
                ('duplicates', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'import_batches', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rule',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='rules', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('priority', fields.IntField(default=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('conditions', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('category', fields.ForeignKeyField('ai_service.Category', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='rules', on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('ai_service.Client', source_field='client_id', null=True, db_constraint=True, to_field='id', related_name='rules', on_delete=OnDelete.CASCADE)),
                ('tag_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rules', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('ai_service.Tag', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=60)),
                ('color', fields.CharField(null=True, max_length=7)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tags', 'app': 'ai_service', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TagLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='tag_links', on_delete=OnDelete.CASCADE)),
                ('tag', fields.ForeignKeyField('ai_service.Tag', source_field='tag_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('entity_type', fields.CharEnumField(description='TRANSACTION: TRANSACTION\nCLIENT: CLIENT\nDOCUMENT: DOCUMENT', enum_type=TaggedKind, max_length=16)),
                ('entity_id', fields.BigIntField()),
            ],
            options={'table': 'tag_links', 'app': 'ai_service', 'unique_together': (('tag', 'entity_type', 'entity_id'),), 'indexes': [Index(fields=['entity_type', 'entity_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Transaction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('ai_service.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.CASCADE)),
                ('booking_date', fields.DateField()),
                ('value_date', fields.DateField(null=True)),
                ('amount_units', fields.BigIntField()),
                ('currency', fields.CharField(max_length=3)),
                ('description', fields.CharField(default='', max_length=1000)),
                ('counterparty_name', fields.CharField(null=True, max_length=200)),
                ('counterparty_iban', fields.CharField(null=True, max_length=34)),
                ('reference', fields.CharField(null=True, max_length=200)),
                ('status', fields.CharEnumField(default=TransactionStatus.BOOKED, description='BOOKED: BOOKED\nPENDING: PENDING', enum_type=TransactionStatus, max_length=8)),
                ('provider_id', fields.CharField(null=True, max_length=200)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('raw_payload', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('import_batch', fields.ForeignKeyField('ai_service.ImportBatch', source_field='import_batch_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.SET_NULL)),
                ('category', fields.ForeignKeyField('ai_service.Category', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.SET_NULL)),
                ('client', fields.ForeignKeyField('ai_service.Client', source_field='client_id', null=True, db_constraint=True, to_field='id', related_name='transactions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'transactions', 'app': 'ai_service', 'unique_together': (('account', 'fingerprint'), ('account', 'provider_id')), 'indexes': [Index(fields=['owner_id', 'booking_date', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
