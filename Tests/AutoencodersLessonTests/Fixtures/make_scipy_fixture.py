"""Principal angles for lesson 11's graders (exercise 11.3), computed by SciPy.

    python3 make_scipy_fixture.py      # writes subspace-angles.json beside this script

Each case stores both bases (D × k, row-major, float64: the tests read them as they are) and
`scipy.linalg.subspace_angles(a, b)` converted to degrees and sorted smallest first (SciPy
returns radians, largest first). Seeded: the same file every run on the same SciPy.
"""
import json
import numpy as np
import scipy
from scipy.linalg import subspace_angles

rng = np.random.default_rng(11)
cases = []

def add(name, a, b):
    angles = np.sort(np.degrees(subspace_angles(a, b)))
    cases.append({"name": name, "rows": a.shape[0], "a_columns": a.shape[1], "b_columns": b.shape[1],
                  "a": a.ravel().tolist(), "b": b.ravel().tolist(), "degrees": angles.tolist()})

add("two random 3-D subspaces of R^12", rng.normal(size=(12, 3)), rng.normal(size=(12, 3)))
add("a plane and a 4-D subspace of R^20", rng.normal(size=(20, 2)), rng.normal(size=(20, 4)))
a = rng.normal(size=(16, 4))
mix = rng.normal(size=(4, 4))
add("the same subspace, another basis, tilted by 1e-4", a, a @ mix + 1e-4 * rng.normal(size=(16, 4)))
e = np.eye(10)
add("two 3-D subspaces at 0, 30 and 90 degrees", e[:, [0, 1, 2]], np.stack([e[:, 0], np.cos(np.pi / 6) * e[:, 1] + np.sin(np.pi / 6) * e[:, 5], e[:, 7]], 1))

json.dump({"library": f"scipy {scipy.__version__}, numpy {np.__version__}", "cases": cases},
          open(__file__.replace("make_scipy_fixture.py", "subspace-angles.json"), "w"), indent=0)
print("\n".join(f'{c["name"]}: {np.round(c["degrees"], 6).tolist()}' for c in cases))
