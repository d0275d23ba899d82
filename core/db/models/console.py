"""Tables of remote consoles: the console auth tokens the API hands out
and the console proxy checks."""

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from nimbus.core.db.models.base import Base, TimestampMixin


class ConsoleAuthToken(TimestampMixin, Base):
    """A remote console's pass: the proxy lets a client that presents
    the token through to ``host:port`` until ``expires``. Only the
    token's SHA-256 is stored; the token itself is in the URL given to
    the user."""

    __tablename__ = "console_auth_tokens"
    __table_args__ = (
        Index("console_auth_tokens_instance_uuid_idx", "instance_uuid"),
        Index("console_auth_tokens_expires_idx", "expires"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    console_type: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    internal_access_path: Mapped[str | None] = mapped_column(
        String(255), nullable=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    #: when the token stops working, in seconds since the epoch.
    expires: Mapped[int] = mapped_column(Integer)
