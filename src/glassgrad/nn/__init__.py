"""Neural-network building blocks: modules, layers, losses, initialisers, functional ops."""

from . import functional  # noqa: F401
from .module import Module, ModuleList, Parameter, Sequential  # noqa: F401,E402
from .layers import AvgPool2d, Conv2d, Dropout, Flatten, Identity, Linear, MaxPool2d  # noqa: F401,E402
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh  # noqa: F401,E402
from .activation import (  # noqa: F401,E402
    CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, PReLU, ReLU6,
    SiLU, Softmin, Softsign,
)
from .activation import Hardshrink, Softshrink, Tanhshrink, Threshold  # noqa: F401,E402
from .loss import (  # noqa: F401,E402
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, MultiMarginLoss, NLLLoss, SoftmaxHingeLoss,
    SquaredError,
    CosineEmbeddingLoss, GaussianNLLLoss, HuberLoss, KLDivLoss, L1Loss, SmoothL1Loss, SoftMarginLoss,
)
from .conv_layers import (  # noqa: F401,E402
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, Conv1d, ConvTranspose1d,
    ConvTranspose2d, Fold, MaxPool1d, Unfold, Upsample,
)
from . import init  # noqa: F401,E402
from .normalization import (  # noqa: F401,E402
    BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm, RMSNorm,
)
from .embedding import Embedding  # noqa: F401,E402
from .extra_layers import (  # noqa: F401,E402
    CosineSimilarity, Dropout2d, PairwiseDistance, Softmax2d, Unflatten,
)
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: F401,E402
from .lazy import LazyConv1d, LazyConv2d, LazyLinear, UninitializedParameter  # noqa: F401,E402
from .padding import (  # noqa: F401,E402
    CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
    ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d,
)
from .containers import ModuleDict, ParameterDict, ParameterList  # noqa: F401,E402
from . import utils  # noqa: F401,E402  (glassgrad.nn.utils: clip_grad_norm_, ...)
