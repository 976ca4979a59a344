"""`odoo-outlook doctor`: compare the live Entra app (Microsoft Graph) and every Odoo target
with the stack. Pure check functions take fetched data + the desired state and return `Check`
records; `gather` and `odoo_reads` do the I/O; `run_doctor` ties them together."""

from odoo_outlook.doctor.model import Check, Report, Status
from odoo_outlook.doctor.odoo_reads import OdooReadOptions
from odoo_outlook.doctor.run import DoctorOptions, run_doctor
from odoo_outlook.stack_outputs import read_stack_outputs

__all__ = [
    "Check",
    "DoctorOptions",
    "OdooReadOptions",
    "Report",
    "Status",
    "read_stack_outputs",
    "run_doctor",
]
