"""The fixture set: eighteen reports, six layouts in three variants each."""

from .specs_c_lists import LIST_C_SPECS
from .specs_c_plan import PLAN_C_SPECS
from .specs_c_tables import TABLE_C_SPECS
from .specs_lists import LIST_SPECS
from .specs_tables import TABLE_SPECS

SPECS = TABLE_SPECS + LIST_SPECS + TABLE_C_SPECS + PLAN_C_SPECS + LIST_C_SPECS
