"""The ANYmal-C-class quadruped (``models/anymal_c.xml``): public ANYbotics ANYmal C figures."""

from __future__ import annotations

from motrixlab_envs_locomotion.description import RobotDescription, model_file

LEGS = ("LF", "RF", "LH", "RH")

ANYMAL_C = RobotDescription(
    name="anymal-c",
    model_file=model_file("anymal_c.xml"),
    base="base",
    joints=tuple(f"{leg}_{j}" for leg in LEGS for j in ("HAA", "HFE", "KFE")),
    actuators=tuple(f"{leg}_{j}_drive" for leg in LEGS for j in ("HAA", "HFE", "KFE")),
    feet=tuple(f"{leg}_foot" for leg in LEGS),
    termination_contacts=("base", "face_front", "face_rear"),
    penalised_contacts=tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh")),
    # knees toward the body centre: front HFE +0.4, KFE -0.8; hind HFE -0.4, KFE +0.8
    standing_pose=(0.0, 0.4, -0.8) * 2 + (0.0, -0.4, 0.8) * 2,
    # statics.standing_torque: a quarter of 52.16 kg on each foot, 0.197 m outside its HAA axis,
    # 0.093 m ahead of (behind) its HFE and 0.204 m from its KFE
    standing_torque=(
        -25.214,
        11.888,
        26.085,
        25.214,
        11.888,
        26.085,
        -25.214,
        -11.888,
        -26.085,
        25.214,
        -11.888,
        -26.085,
    ),
    kp=(80.0,) * 12,
    kd=(2.0,) * 12,
    torque_limits=(80.0,) * 12,
    standing_height=0.549,  # HFE to foot centre 0.519 m at the pose, plus the 0.03 m foot radius
    height_target=0.54,
    mass=52.16,
    base_mass=26.4,
    feet_xy=((0.453, 0.301), (0.453, -0.301), (-0.453, 0.301), (-0.453, -0.301)),
    foot_height=0.03,  # the foot sphere's radius
)
