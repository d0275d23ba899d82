"""instances: ``trusted_certs``, the key manager ids of the certificates
an image's signing certificate must chain to (Compute API 2.63), a JSON
list or NULL

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 06:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_certs', sa.Text(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('trusted_certs')
