"""The dispatcher worker's main module: the classes workerd exports.

``DynamicWorkflowBinding`` must be exported under that name: ``wrap_workflow_binding``
finds it on ctx.exports. The reference dispatcher exports the library's class with
its admission hook set: quotas and the instance index (``dispatcher.admission``, and
``dispatcher.index``, the index object).
``TenantTail`` is the Tail Worker of every tenant worker (``dispatcher.tail``).
"""

from dispatcher.admission import IndexAdmission
from dispatcher.front import Default
from dispatcher.index import TenantIndex
from dispatcher.runs import DynamicWorkflow
from dispatcher.tail import TenantTail
from dynamic_workflows import DynamicWorkflowBinding as LibraryBinding


class DynamicWorkflowBinding(LibraryBinding):
    admission = IndexAdmission()


__all__ = ["Default", "DynamicWorkflow", "DynamicWorkflowBinding", "TenantIndex", "TenantTail"]
