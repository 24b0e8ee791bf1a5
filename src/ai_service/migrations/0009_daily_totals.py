from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# Existing transactions get their daily totals (the same SQL as finance.daily.refresh_days,
# over every day at once).
BACKFILL = (
    "INSERT INTO transaction_days (owner_id, account_id, currency, day, income_units, "
    "expense_units, count) SELECT owner_id, account_id, currency, booking_date, "
    "SUM(CASE WHEN amount_units > 0 THEN amount_units ELSE 0 END), "
    "SUM(CASE WHEN amount_units < 0 THEN amount_units ELSE 0 END), COUNT(*) "
    "FROM transactions GROUP BY owner_id, account_id, currency, booking_date"
)


async def backfill(apps, schema_editor):
    await schema_editor.client.execute_script(BACKFILL)


async def nothing(apps, schema_editor):
    """The table goes with the reversed CreateModel."""


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0008_category_suggestions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DailyTotal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('ai_service.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='daily_totals', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('ai_service.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='daily_totals', on_delete=OnDelete.CASCADE)),
                ('currency', fields.CharField(max_length=3)),
                ('day', fields.DateField()),
                ('income_units', fields.BigIntField(default=0)),
                ('expense_units', fields.BigIntField(default=0)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'transaction_days', 'app': 'ai_service', 'unique_together': (('account', 'day', 'currency'),), 'indexes': [Index(fields=['owner_id', 'day'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(backfill, nothing),
    ]
