"""The Go1-class quadruped model: file, names and standing pose shared by its tasks and tests."""

from __future__ import annotations

import numpy as np
from motrixlab.assets import model_path

MODEL_FILE = model_path(__file__, "go1.xml")

LEGS = ("FR", "FL", "RR", "RL")
#: Joint (and actuator) order inside the model: per leg abduction, hip, knee.
JOINTS = tuple(f"{leg}_{part}_joint" for leg in LEGS for part in ("hip", "thigh", "calf"))
ACTUATORS = tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh", "calf"))
FEET = tuple(f"{leg}_foot" for leg in LEGS)
TRUNK = "trunk"
#: Geoms whose ground contact is penalised (falls land on these before the trunk).
UNDESIRED_CONTACT = tuple(f"{leg}_{part}" for leg in LEGS for part in ("hip", "thigh"))

#: Standing pose from the public figures: abduction 0, hip 0.9, knee -1.8 (rad), per leg.
DEFAULT_JOINT_POS = np.tile(np.array([0.0, 0.9, -1.8], np.float32), 4)
#: Trunk height with the legs in the standing pose and the feet just touching flat ground.
STANDING_HEIGHT = 0.285

#: Gravity feed-forward of the standing pose (N·m per joint): each knee carries a quarter of the
#: robot's weight (12.72 kg, the masses of the figures) at its lever arm, the calf length times
#: sin(hip angle); with the foot under the hip, the hips carry almost none. The PD targets add
#: ``STANDING_TORQUE / kp``, so that zero action stands at the figures' 0.27-0.28 m instead of
#: sagging about 3.5 cm under kp 35.
ROBOT_MASS = 12.72
STANDING_TORQUE = np.tile(np.array([0.0, 0.0, ROBOT_MASS * 9.81 / 4 * 0.213 * np.sin(0.9)], np.float32), 4)
