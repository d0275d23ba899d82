"""fixed IPs: the host holding a DHCP lease, the host a multi_host gateway
address belongs to

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 17:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fixed_ips') as batch:
        batch.add_column(sa.Column('lease_host', sa.String(length=255),
                                   nullable=True))
        batch.add_column(sa.Column('gateway_host', sa.String(length=255),
                                   nullable=True))
        # One gateway address per host and network (NULLs never clash).
        batch.create_unique_constraint(
            'uniq_fixed_ips0network_id0gateway_host',
            ['network_id', 'gateway_host'])


def downgrade():
    with op.batch_alter_table('fixed_ips') as batch:
        batch.drop_constraint('uniq_fixed_ips0network_id0gateway_host',
                              type_='unique')
        batch.drop_column('gateway_host')
        batch.drop_column('lease_host')
