from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from ai_service.platform.market.timeframes import Timeframe


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0002_integrations_and_ai_usage')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MarketBar',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='market_bars', on_delete=OnDelete.CASCADE)),
                ('symbol', fields.CharField(max_length=32)),
                ('timeframe', fields.CharEnumField(description='M1: M1\nM5: M5\nM15: M15\nM30: M30\nH1: H1\nH4: H4\nD1: D1\nW1: W1', enum_type=Timeframe, max_length=4)),
                ('ts', fields.BigIntField()),
                ('open', fields.FloatField()),
                ('high', fields.FloatField()),
                ('low', fields.FloatField()),
                ('close', fields.FloatField()),
                ('volume', fields.FloatField(default=0)),
            ],
            options={'table': 'market_bars', 'app': 'ai_service', 'unique_together': (('owner', 'symbol', 'timeframe', 'ts'),), 'pk_attr': 'id', 'table_description': 'One OHLCV bar of the embedded market store (the SQL side of `MarketStore`).'},
            bases=['Model'],
        ),
    ]
