"""The MoH monitoring audit: what facilities actually sent, scored "đúng, đủ, sạch, sống" (QĐ 2062),
interconnection by the QĐ 2733 visit types, timeliness, trends and league tables.

``sources`` reads submissions (folder, gateway database, journal API), ``reading`` runs the file
validator on each, the traffic judge (``conformance.traffic``) folds them into episodes and judges
the rules over several submissions, ``aggregate`` builds the one result every output is written
from (``outputs``: JSON and its schema, CSV, the six-monthly report, HTML scorecards;
``dashboard``: the offline web page). docs/audit.md documents the formulas.
"""
