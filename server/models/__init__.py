"""All ORM models in one package so imports never go in circles."""

from server.models.base import Base
from server.models.opportunity import Opportunity
from server.models.organization import Organization
from server.models.place import Place
from server.models.session import Session
from server.models.taxonomy import Competency, Topic

__all__ = ["Base", "Competency", "Opportunity", "Organization", "Place", "Session", "Topic"]
