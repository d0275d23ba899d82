"""users: failed password logins in a row and when the last one was, for
the ``[security_compliance]`` lockout (kept in the database so every API
process of a deployment counts the same failures)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 03:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_auth_count', sa.Integer(),
                                      server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_auth_at', sa.DateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('failed_auth_at')
        batch_op.drop_column('failed_auth_count')
