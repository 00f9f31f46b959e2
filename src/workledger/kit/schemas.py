"""Members every resource shares: the read side and the read-only echo on writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from workledger.kit.body import InputModel


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime


class WriteModel(InputModel):
    """Read-only members may be sent back unchanged (400 if they differ)."""

    id: StrictInt | None = Field(None, description="Read-only")
    created_at: datetime | None = Field(None, description="Read-only")
    updated_at: datetime | None = Field(None, description="Read-only")
