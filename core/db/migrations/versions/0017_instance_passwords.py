"""instance passwords: what a guest posts to the metadata service

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 17:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instance_passwords',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('password', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('instance_uuid'),
    )


def downgrade():
    op.drop_table('instance_passwords')
