from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.models import RunStatus, SignalAction, StrategyStatus
from ai_service.trading.strategies import StrategyKind


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0003_market_bars')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Strategy',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='strategies', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='SMA_CROSSOVER: SMA_CROSSOVER\nEMA_CROSSOVER: EMA_CROSSOVER\nRSI_REVERSION: RSI_REVERSION\nDONCHIAN_BREAKOUT: DONCHIAN_BREAKOUT', enum_type=StrategyKind, max_length=32)),
                ('symbol', fields.CharField(max_length=32)),
                ('timeframe', fields.CharEnumField(description='M1: M1\nM5: M5\nM15: M15\nM30: M30\nH1: H1\nH4: H4\nD1: D1\nW1: W1', enum_type=Timeframe, max_length=4)),
                ('parameters', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('risk', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=StrategyStatus.DRAFT, description='DRAFT: DRAFT\nACTIVE: ACTIVE\nPAUSED: PAUSED\nARCHIVED: ARCHIVED', enum_type=StrategyStatus, max_length=16)),
                ('evaluated_through', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'strategies', 'app': 'ai_service', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Backtest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='backtests', on_delete=OnDelete.CASCADE)),
                ('strategy', fields.ForeignKeyField('ai_service.Strategy', source_field='strategy_id', db_constraint=True, to_field='id', related_name='backtests', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=RunStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=RunStatus, max_length=16)),
                ('job_id', fields.BigIntField(null=True)),
                ('range_start', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('range_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('initial_capital', fields.FloatField()),
                ('config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('bar_count', fields.IntField(default=0)),
                ('metrics', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('trades', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('equity', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backtests', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Optimization',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='optimizations', on_delete=OnDelete.CASCADE)),
                ('strategy', fields.ForeignKeyField('ai_service.Strategy', source_field='strategy_id', db_constraint=True, to_field='id', related_name='optimizations', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=RunStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=RunStatus, max_length=16)),
                ('job_id', fields.BigIntField(null=True)),
                ('config', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'optimizations', 'app': 'ai_service', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Signal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='signals', on_delete=OnDelete.CASCADE)),
                ('strategy', fields.ForeignKeyField('ai_service.Strategy', source_field='strategy_id', db_constraint=True, to_field='id', related_name='signals', on_delete=OnDelete.CASCADE)),
                ('ts', fields.BigIntField()),
                ('action', fields.CharEnumField(description='BUY: BUY\nSELL_SHORT: SELL_SHORT\nEXIT_LONG: EXIT_LONG\nEXIT_SHORT: EXIT_SHORT', enum_type=SignalAction, max_length=16)),
                ('price', fields.FloatField()),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'signals', 'app': 'ai_service', 'unique_together': (('strategy', 'ts', 'action'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
