"""TEMPORARY shim until the catalogue lands."""
from workledger.kit.problems import BusinessRule


class OrderDelivered(BusinessRule):
    def __init__(self, detail, *, members):
        super().__init__(detail, members=members, code="3025")


class OrderInPreparation(BusinessRule):
    def __init__(self, detail, *, members):
        super().__init__(detail, members=members, code="3026")
