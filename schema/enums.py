"""GraphQL enums, exposing the server's closed vocabularies under their member names."""

from __future__ import annotations

from enum import Enum

import strawberry

from server.models import enums
from server.search.query import SortOrder, TimeOfDay

# strawberry.enum registers the class in place, so annotations can use the server's classes.
OpportunityKind = enums.OpportunityKind
Delivery = enums.Delivery
Accessibility = enums.Accessibility
OrganizationKind = enums.OrganizationKind
OpportunitySort = SortOrder
TimeOfDayEnum = TimeOfDay
OrganizationStatus = enums.OrganizationStatus
OpportunityStatus = enums.OpportunityStatus
StaffRole = enums.StaffRole
ApiScope = enums.ApiScope
ConsentPurpose = enums.ConsentPurpose
Visibility = enums.Visibility
strawberry.enum(OpportunityKind, name="OpportunityKind")
strawberry.enum(Delivery, name="Delivery")
strawberry.enum(Accessibility, name="Accessibility")
strawberry.enum(OrganizationKind, name="OrganizationKind")
strawberry.enum(OpportunitySort, name="OpportunitySort")
strawberry.enum(TimeOfDayEnum, name="TimeOfDay")
strawberry.enum(OrganizationStatus, name="OrganizationStatus")
strawberry.enum(OpportunityStatus, name="OpportunityStatus")
strawberry.enum(StaffRole, name="StaffRole")
strawberry.enum(ApiScope, name="ApiScope")
strawberry.enum(ConsentPurpose, name="ConsentPurpose")
strawberry.enum(Visibility, name="Visibility")


@strawberry.enum
class DayOfWeek(Enum):
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7
