"""Write operations of the stakeholder registry (``<noun>_<verb>(*, ...)`` inside transactions)."""

from stakeholders.services.gdpr import (
    person_access_record,
    person_erase,
    person_record,
    person_record_pdf,
)
from stakeholders.services.importing import ImportProblem, import_apply, import_check, parse_table
from stakeholders.services.registry import (
    ASSESSMENT_FIELDS,
    STAKEHOLDER_FIELDS,
    RegistryError,
    StakeholderConflict,
    assessment_add,
    engagement_complete,
    engagement_log,
    network_snapshot_create,
    relationship_create,
    relationship_delete,
    shadow_wage_defaults_ensure,
    shadow_wage_delete,
    shadow_wage_set,
    stakeholder_create,
    stakeholder_delete,
    stakeholder_update,
)

__all__ = [
    "ASSESSMENT_FIELDS",
    "STAKEHOLDER_FIELDS",
    "ImportProblem",
    "RegistryError",
    "StakeholderConflict",
    "assessment_add",
    "engagement_complete",
    "engagement_log",
    "import_apply",
    "import_check",
    "network_snapshot_create",
    "parse_table",
    "person_access_record",
    "person_erase",
    "person_record",
    "person_record_pdf",
    "relationship_create",
    "relationship_delete",
    "shadow_wage_defaults_ensure",
    "shadow_wage_delete",
    "shadow_wage_set",
    "stakeholder_create",
    "stakeholder_delete",
    "stakeholder_update",
]
