"""SQLAlchemy 2 models of nimbus's database.

The schema is created and upgraded only by alembic migrations
(``nimbus-manage db sync``); a test checks that these models and the
migrations agree. Soft deletion follows Nova: ``deleted`` is 0 for live rows
and the row id once deleted, so unique constraints can include it.

One module per service that owns the tables; everything is re-exported
here, so ``models.Instance`` reads the same wherever it is used.
"""

from nimbus.core.db.models.base import (  # noqa: F401
    Base,
    SoftDeleteMixin,
    TimestampMixin,
    now,
)
from nimbus.core.db.models.compute import (  # noqa: F401
    Aggregate,
    AggregateHost,
    AggregateMetadata,
    Allocation,
    BlockDeviceMapping,
    ComputeNode,
    Flavor,
    FlavorExtraSpec,
    FlavorProject,
    Instance,
    InstanceAction,
    InstanceActionEvent,
    InstanceFault,
    InstanceGroup,
    InstanceGroupMember,
    InstancePassword,
    InstanceTag,
    KeyPair,
    Migration,
    Quota,
    QuotaClass,
    Service,
)
from nimbus.core.db.models.console import ConsoleAuthToken  # noqa: F401
from nimbus.core.db.models.ec2 import (  # noqa: F401
    Ec2Credential,
    Ec2Id,
    Ec2Tag,
)
from nimbus.core.db.models.identity import (  # noqa: F401
    Project,
    RevokedToken,
    Role,
    RoleAssignment,
    User,
)
from nimbus.core.db.models.network import (  # noqa: F401
    FixedIp,
    FloatingIp,
    InstanceSecurityGroup,
    Network,
    Port,
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)
from nimbus.core.db.models.volume import (  # noqa: F401
    Volume,
    VolumeAttachment,
    VolumeHost,
    VolumeSnapshot,
    VolumeType,
    VolumeTypeExtraSpec,
    VolumeTypeProject,
)
