"""The Go2-class quadruped (``models/go2.xml``): public Unitree Go2 figures."""

from __future__ import annotations

from motrixlab_envs_locomotion.description import RobotDescription, model_file

LEGS = ("FR", "FL", "RR", "RL")

GO2 = RobotDescription(
    name="go2",
    model_file=model_file("go2.xml"),
    base="trunk",
    joints=tuple(f"{leg}_{part}_joint" for leg in LEGS for part in ("hip", "thigh", "calf")),
    actuators=tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh", "calf")),
    feet=tuple(f"{leg}_foot" for leg in LEGS),
    termination_contacts=("trunk", "head"),
    penalised_contacts=tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh")),
    standing_pose=(0.0, 0.9, -1.8) * 4,
    # statics.standing_torque: the feet's share of 15.02 kg (the trunk's centre of mass is 2 cm ahead,
    # the thighs' behind the hips) about each joint: abduction (feet 0.142 m out), knee (lever 0.213 sin 0.9)
    standing_torque=(3.408, 0.0, 5.954, -3.408, 0.0, 5.954, 3.626, 0.0, 6.336, -3.626, 0.0, 6.336),
    kp=(25.0,) * 12,
    kd=(0.5,) * 12,
    torque_limits=(23.7, 23.7, 35.55) * 4,
    standing_height=0.287,  # 2 x 0.213 cos 0.9 + the 0.022 m foot radius
    height_target=0.28,
    mass=15.017,
    base_mass=6.921,
    feet_xy=((0.1934, -0.142), (0.1934, 0.142), (-0.1934, -0.142), (-0.1934, 0.142)),
    foot_height=0.022,  # the foot sphere's radius
)
