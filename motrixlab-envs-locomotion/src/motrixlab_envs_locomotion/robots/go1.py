"""The Go1-class quadruped (``models/go1.xml``): public Unitree Go1 figures."""

from __future__ import annotations

import numpy as np

from motrixlab_envs_locomotion.description import RobotDescription, model_file

LEGS = ("FR", "FL", "RR", "RL")
#: Robot mass (kg): the masses of the figures, whose weight the knees carry standing.
ROBOT_MASS = 12.72
#: Each knee carries a quarter of the weight at its lever arm, the calf length times sin(hip angle);
#: with the foot under the hip, the hips carry almost none. Zero action then stands at the figures'
#: 0.27-0.28 m instead of sagging about 3.5 cm under kp 35.
_KNEE_LOAD = ROBOT_MASS * 9.81 / 4 * 0.213 * float(np.sin(0.9))

GO1 = RobotDescription(
    name="go1",
    model_file=model_file("go1.xml"),
    base="trunk",
    joints=tuple(f"{leg}_{part}_joint" for leg in LEGS for part in ("hip", "thigh", "calf")),
    actuators=tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh", "calf")),
    feet=tuple(f"{leg}_foot" for leg in LEGS),
    termination_contacts=("trunk",),
    penalised_contacts=tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh")),
    standing_pose=(0.0, 0.9, -1.8) * 4,
    standing_torque=(0.0, 0.0, _KNEE_LOAD) * 4,
    kp=(35.0,) * 12,
    kd=(0.6,) * 12,
    torque_limits=(23.7, 23.7, 35.5) * 4,
    standing_height=0.285,  # 2 x 0.213 cos 0.9 + the 0.02 m foot radius
    height_target=0.27,
    mass=ROBOT_MASS,
    base_mass=5.2,
    feet_xy=((0.1881, -0.127), (0.1881, 0.127), (-0.1881, -0.127), (-0.1881, 0.127)),
    foot_height=0.02,  # the foot sphere's radius
)
