"""The goods-owner SOAP API (DESIGN §8): ``/soap/goodsowner``, WSDL at ``?wsdl``.

For web shops and ERPs that speak SOAP: the same WSI API user as on REST, the same
services underneath. ``schema/goodsowner.wsdl`` is the static contract (WSDL 1.1,
SOAP 1.1, document/literal, namespace ``urn:workledger:goodsowner:1``);
``envelope.py`` reads requests safely and writes answers and Faults; ``service.py`` maps
the seven operations onto the domain's services; ``endpoints.py`` is the HTTP route.
User documentation: docs/soap.md.
"""
