"""volumes: ``multiattach``, whether a volume may be attached to several
servers at once (set at create from the volume type's ``multiattach``
extra spec, as Cinder does)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 03:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('multiattach', sa.Boolean(),
                                      nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.drop_column('multiattach')
