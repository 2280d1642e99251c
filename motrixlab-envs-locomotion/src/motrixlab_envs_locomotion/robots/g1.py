"""The G1-class humanoid (``models/g1.xml``): public Unitree G1 figures, 12 actuated leg joints."""

from __future__ import annotations

from motrixlab_envs_locomotion.description import RobotDescription, model_file

SIDES = ("left", "right")
LEG = ("hip_pitch", "hip_roll", "hip_yaw", "knee", "ankle_pitch", "ankle_roll")

G1 = RobotDescription(
    name="g1",
    model_file=model_file("g1.xml"),
    base="pelvis",
    joints=tuple(f"{side}_{j}_joint" for side in SIDES for j in LEG),
    actuators=tuple(f"{side}_{j}" for side in SIDES for j in LEG),
    feet=("left_foot", "right_foot"),
    # any ground contact but the soles is a fall
    termination_contacts=("pelvis", "torso", "head", *(f"{s}_{p}" for s in SIDES for p in ("arm", "thigh", "shin"))),
    penalised_contacts=(),
    # hip pitch + knee + ankle pitch = 0: the soles stay flat
    standing_pose=(-0.1, 0.0, 0.0, 0.3, -0.2, 0.0) * 2,
    # statics.standing_torque(G1, cop_under_com=True, leg_weight=True): half of 32.06 kg on each sole,
    # its centre of pressure under the centre of mass (3.8 cm ahead of the ankles), less the legs' own weight
    standing_torque=(1.302, -0.262, 0.026, -2.584, 5.940, 0.0, 1.302, 0.262, -0.026, -2.584, 5.940, 0.0),
    kp=(200.0, 150.0, 150.0, 200.0, 200.0, 100.0) * 2,
    kd=(5.0, 5.0, 5.0, 5.0, 2.0, 2.0) * 2,
    torque_limits=(88.0, 139.0, 88.0, 139.0, 50.0, 50.0) * 2,
    standing_height=0.784,  # 0.1027 + 0.336 cos 0.1 + 0.3 cos 0.2 + 0.053 (ankle pitch axis to sole)
    height_target=0.78,
    mass=32.064,
    base_mass=17.7,
    feet_xy=((0.009, 0.119), (0.009, -0.119)),
    foot_height=0.008,  # half the 0.016 m sole
)
