"""Neural-network building blocks: modules, layers, losses, initialisers, functional ops."""

from . import functional  # noqa: F401
from .module import Module, ModuleList, Parameter, Sequential  # noqa: F401,E402
from .linear import Identity, Linear  # noqa: F401,E402
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Fold, Unfold  # noqa: F401,E402
from .pooling import (  # noqa: F401,E402
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
    MaxPool2d, Upsample,
)
from .dropout import Dropout, Dropout2d  # noqa: F401,E402
from .flatten import Flatten, Unflatten  # noqa: F401,E402
from .distance import CosineSimilarity, PairwiseDistance  # noqa: F401,E402
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softmax2d, Softplus, Tanh  # noqa: F401,E402
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
from . import init  # noqa: F401,E402
from .normalization import (  # noqa: F401,E402
    BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm, RMSNorm,
)
from .embedding import Embedding  # noqa: F401,E402
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: F401,E402
from .lazy import LazyConv1d, LazyConv2d, LazyLinear, UninitializedParameter  # noqa: F401,E402
from .padding import (  # noqa: F401,E402
    CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
    ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d,
)
from .containers import ModuleDict, ParameterDict, ParameterList  # noqa: F401,E402
from . import utils  # noqa: F401,E402  (glassgrad.nn.utils: clip_grad_norm_, ...)
from . import parallel  # noqa: F401,E402  (glassgrad.nn.parallel.DistributedDataParallel)
from .attention import MultiheadAttention  # noqa: F401,E402
from .transformer import (  # noqa: F401,E402
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401,E402
from .linear import Bilinear  # noqa: F401,E402
from .loss import HingeEmbeddingLoss, MarginRankingLoss, TripletMarginLoss  # noqa: F401,E402
