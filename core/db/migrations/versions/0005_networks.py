"""networks: addresses, ports, security groups, floating IPs

The tables of nimbus-network (nova-network's data with Neutron's names):
one subnet per network, fixed IPs pre-created per network so allocating
one is a compare-and-swap on its row, ports (virtual interfaces) with
unique MACs, security groups with their rules and bindings, and floating
IPs pre-created per pool. Rows reference each other by UUID.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:30:13.528680
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('external', sa.Boolean(), nullable=False),
    sa.Column('cidr', sa.String(length=64), nullable=True),
    sa.Column('gateway', sa.String(length=64), nullable=True),
    sa.Column('allocation_start', sa.String(length=64), nullable=True),
    sa.Column('allocation_end', sa.String(length=64), nullable=True),
    sa.Column('dns_servers', sa.Text(), nullable=False),
    sa.Column('vlan', sa.Integer(), nullable=True),
    sa.Column('bridge', sa.String(length=255), nullable=True),
    sa.Column('bridge_interface', sa.String(length=255), nullable=True),
    sa.Column('mtu', sa.Integer(), nullable=True),
    sa.Column('dhcp_enabled', sa.Boolean(), nullable=False),
    sa.Column('multi_host', sa.Boolean(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('subnet_uuid', sa.String(length=36), nullable=False),
    sa.Column('subnet_name', sa.String(length=255), nullable=True),
    sa.Column('auto_project_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('auto_project_id'),
    sa.UniqueConstraint('cidr', name='uniq_networks0cidr'),
    sa.UniqueConstraint('subnet_uuid'),
    sa.UniqueConstraint('uuid'),
    sa.UniqueConstraint('vlan')
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networks_project_id'), ['project_id'], unique=False)

    op.create_table('security_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('default_for', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('default_for'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('security_groups', schema=None) as batch_op:
        batch_op.create_index('security_groups_project_idx', ['project_id'], unique=False)

    op.create_table('fixed_ips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=True),
    sa.Column('port_id', sa.String(length=36), nullable=True),
    sa.Column('reserved', sa.Boolean(), nullable=False),
    sa.Column('leased', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'address', name='uniq_fixed_ips0network_id0address')
    )
    with op.batch_alter_table('fixed_ips', schema=None) as batch_op:
        batch_op.create_index('fixed_ips_address_idx', ['address'], unique=False)
        batch_op.create_index('fixed_ips_free_idx', ['network_id', 'port_id', 'reserved'], unique=False)
        batch_op.create_index('fixed_ips_instance_idx', ['instance_uuid'], unique=False)
        batch_op.create_index('fixed_ips_port_idx', ['port_id'], unique=False)

    op.create_table('instance_security_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.uuid'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_uuid', 'security_group_id', name='uniq_instance_security_groups0instance0group')
    )
    op.create_table('ports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('mac_address', sa.String(length=32), nullable=False),
    sa.Column('instance_uuid', sa.String(length=36), nullable=True),
    sa.Column('device_owner', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('dns_name', sa.String(length=255), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('preserve_on_delete', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.uuid'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mac_address'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('ports', schema=None) as batch_op:
        batch_op.create_index('ports_instance_idx', ['instance_uuid'], unique=False)
        batch_op.create_index('ports_network_idx', ['network_id'], unique=False)

    op.create_table('security_group_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('ethertype', sa.String(length=16), nullable=False),
    sa.Column('protocol', sa.String(length=40), nullable=True),
    sa.Column('port_range_min', sa.Integer(), nullable=True),
    sa.Column('port_range_max', sa.Integer(), nullable=True),
    sa.Column('remote_ip_prefix', sa.String(length=64), nullable=True),
    sa.Column('remote_group_id', sa.String(length=36), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['remote_group_id'], ['security_groups.uuid'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.uuid'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.create_index('security_group_rules_group_idx', ['security_group_id'], unique=False)
        batch_op.create_index('security_group_rules_remote_idx', ['remote_group_id'], unique=False)

    op.create_table('floating_ips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=True),
    sa.Column('port_id', sa.String(length=36), nullable=True),
    sa.Column('fixed_address', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.uuid'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['port_id'], ['ports.uuid'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.create_index('floating_ips_pool_idx', ['network_id', 'project_id'], unique=False)
        batch_op.create_index('floating_ips_port_idx', ['port_id'], unique=False)

    op.create_table('port_security_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('port_id', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['port_id'], ['ports.uuid'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.uuid'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('port_id', 'security_group_id', name='uniq_port_security_groups0port0group')
    )
