"""console auth tokens: passes to remote consoles (Compute API 2.6, 2.31)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 11:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'console_auth_tokens',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('console_type', sa.String(length=255), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('internal_access_path', sa.String(length=255),
                  nullable=True),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('expires', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('console_auth_tokens') as batch_op:
        batch_op.create_index('console_auth_tokens_instance_uuid_idx',
                              ['instance_uuid'], unique=False)
        batch_op.create_index('console_auth_tokens_expires_idx',
                              ['expires'], unique=False)


def downgrade():
    op.drop_table('console_auth_tokens')
