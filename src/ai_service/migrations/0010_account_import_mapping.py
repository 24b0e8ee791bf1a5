from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('ai_service', '0009_daily_totals')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='import_mapping',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
