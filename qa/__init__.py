"""Quality assurance: evaluation forms, sampling plans, evaluations, calibration, scorecards.

- ``qa.form``: versioned TOML forms (``qa/forms/airline_v1.toml`` ships) and their rules;
- ``qa.scoring``: answers -> section scores, score 0-100, critical fail, pass;
- ``qa.sampling``: stratified, weighted, seeded sampling plans with balanced assignment;
- ``qa.calibration``: Krippendorff's alpha, ICC(2,1) and each evaluator's bias;
- ``qa.scorecards``: agent scorecards per week, trends, the stars of the day and week;
- ``qa.calls`` (warehouse reads), ``qa.store`` (the operational store), ``qa.service``
  (units of work), ``qa.demo`` (demo evaluations, labelled), ``qa.cli`` (``callcenter qa``);
- ``qa.risk``: the risk register (a package of its own).
"""
