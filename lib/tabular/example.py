"""The example table of "Your own data" (``assets/student_outcomes.csv``): generated, with the
kinds of column a real export has and a target that the columns really predict.

Each student's outcome (Fail / Pass / Distinction) follows a hidden score: hours studied and
attendance help, a part-time job and little sleep hurt, last year's grade helps, and first-year
students (no previous grade: the cell is empty) do a little worse — a missing value that
carries information. Plus an identifier, an enrolment date, a programme with a few rare
values and an accommodation column that carry little or nothing. A logistic regression
reaches ~75 % where always answering "Pass" scores 50 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FILE = "student_outcomes.csv"
TARGET = "Outcome"
PROGRAMMES = {
    "Biology": 0.15, "Business": 0.18, "Computer Science": 0.17, "Economics": 0.1,
    "History": 0.1, "Mathematics": 0.1, "Nursing": 0.17, "Astronomy": 0.015,
    "Classics": 0.01, "Music": 0.005,
}  # fmt: skip
ACCOMMODATION = {"Dormitory": 0.4, "Rental": 0.35, "With Family": 0.22, "Other": 0.03}


def make_example(n: int = 400, seed: int = 11) -> pd.DataFrame:
    """The table shipped as ``assets/student_outcomes.csv`` (rebuilt by the tests)."""
    rng = np.random.default_rng(seed)
    first_year = rng.random(n) < 0.22
    hours = rng.gamma(3.0, 3.5, n).round(1)
    attendance = np.clip(rng.normal(80, 12, n), 25, 100).round(0)
    sleep = np.clip(rng.normal(7, 1.1, n), 4, 10).round(1)
    job = rng.random(n) < 0.35
    previous = np.clip(rng.normal(64, 12, n), 20, 100).round(0)
    score = (
        0.22 * (hours - 10)
        + 0.06 * (attendance - 80)
        + 0.05 * (previous - 64) * ~first_year
        - 0.6 * first_year
        - 0.7 * job
        + 0.3 * (sleep - 7)
        + rng.normal(0, 0.9, n)
    )
    low, high = np.quantile(score, [0.25, 0.75])
    outcome = np.where(score < low, "Fail", np.where(score > high, "Distinction", "Pass"))
    enrolled = (
        pd.Timestamp("2019-09-02")
        + pd.to_timedelta(rng.integers(0, 5, n) * 365 + rng.integers(0, 14, n), unit="D")
    ).strftime("%Y-%m-%d")
    attendance[rng.random(n) < 0.04] = np.nan  # a few unrecorded
    return pd.DataFrame(
        {
            "Student_ID": np.arange(1001, 1001 + n),
            "Enrolled": enrolled,
            "Age": np.where(first_year, rng.integers(18, 21, n), rng.integers(19, 31, n)),
            "Programme": rng.choice(list(PROGRAMMES), n, p=list(PROGRAMMES.values())),
            "Accommodation": rng.choice(list(ACCOMMODATION), n, p=list(ACCOMMODATION.values())),
            "Hours_Studied": hours,
            "Attendance_Pct": attendance,
            "Sleep_Hours": sleep,
            "Part_Time_Job": job,
            "Previous_Grade": np.where(first_year, np.nan, previous),
            TARGET: outcome,
        }
    )


def example_csv() -> bytes:
    """The table as the CSV bytes shipped in ``assets/``."""
    return make_example().to_csv(index=False).encode()
