"""The tutorial's three models written in PyTorch, trained on the splits
exported by scripts/bench-peers.ts, timed epoch by epoch like the Keras run.

  python torch_imdb.py --data DIR --preset lstm --epochs 5 --out report.json

Differences from Keras, kept small on purpose:
- the recurrent layer's output is the last time step (for the Bi-LSTM, h_n of
  both directions: the forward pass's last step and the backward pass's first),
  as Keras' return_sequences=False gives;
- the loss is BCEWithLogitsLoss on the Dense(1) output, the same function as
  sigmoid + binary cross-entropy but computed without Keras' 1e-7 clipping;
- --init keras (default) sets Keras' initialisers (uniform(-0.05, 0.05)
  embedding, Glorot-uniform kernels, orthogonal recurrent weights, zero biases,
  forget-gate bias 1) so that accuracy differences come from the framework,
  not from PyTorch's defaults (N(0, 1) embedding, uniform(+-1/sqrt(units))
  everywhere); --init torch keeps PyTorch's defaults;
- optimizers with Keras' defaults: RMSprop(lr 1e-3, rho 0.9, eps 1e-7) and
  Adam(lr 1e-3, betas 0.9/0.999, eps 1e-7); PyTorch's RMSprop divides by
  sqrt(v) + eps where Keras (and TensorFlow.js) divide by sqrt(v + eps).

Denormal floats: gradients that fade through 500 recurrent steps end up in
the subnormal range, where x86 arithmetic is many times slower. TensorFlow
flushes them to zero on its CPU threads by default; PyTorch does not. On this
machine a Bi-LSTM training step took 2.2 s without flushing and 0.55 s with
it, so --denormals flush (default) sets torch.set_flush_denormal(True), as
one would in practice; --denormals keep measures PyTorch's default.
"""
import time

STARTED = time.perf_counter()  # before importing torch: its import is part of the run's cost

import platform

import numpy as np
import torch
from torch import nn

import peer_data


class SentimentRNN(nn.Module):
    def __init__(self, preset, num_words, embedding_dim=32, units=32, dense_units=256, dropout=0.2):
        super().__init__()
        self.preset = preset
        self.embedding = nn.Embedding(num_words, embedding_dim)
        if preset == "simple-rnn":
            self.recurrent = nn.RNN(embedding_dim, units, nonlinearity="tanh", batch_first=True)
            self.head = nn.Linear(units, 1)
        else:
            self.recurrent = nn.LSTM(embedding_dim, units, batch_first=True, bidirectional=preset == "bilstm")
            width = units * (2 if preset == "bilstm" else 1)
            self.head = nn.Sequential(nn.Linear(width, dense_units), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dense_units, 1))

    def forward(self, x):
        outputs = self.recurrent(self.embedding(x))
        h_n = outputs[1] if self.preset == "simple-rnn" else outputs[1][0]
        # h_n is [directions, batch, units]: the last step of each direction's pass.
        features = h_n[0] if h_n.shape[0] == 1 else torch.cat([h_n[0], h_n[1]], dim=1)
        return self.head(features).squeeze(1)


def keras_init(model):
    nn.init.uniform_(model.embedding.weight, -0.05, 0.05)
    for name, param in model.recurrent.named_parameters():
        if name.startswith("weight_ih"):
            # PyTorch stacks the gates' kernels along dim 0; Keras initialises the stacked kernel as one matrix.
            nn.init.xavier_uniform_(param)
        elif name.startswith("weight_hh"):
            nn.init.orthogonal_(param)
        elif name.startswith("bias"):
            nn.init.zeros_(param)
            # Keras' unit_forget_bias: gate order in PyTorch is i, f, g, o; set it once (bias_ih only).
            if isinstance(model.recurrent, nn.LSTM) and name.startswith("bias_ih"):
                units = model.recurrent.hidden_size
                with torch.no_grad():
                    param[units : 2 * units] = 1.0
    for module in model.head.modules() if isinstance(model.head, nn.Sequential) else [model.head]:
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)


def evaluate(model, x, y, batch_size, loss_fn):
    model.eval()
    loss_sum = 0.0
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = torch.from_numpy(x[start : start + batch_size]).long()
            yb = torch.from_numpy(y[start : start + batch_size])
            logits = model(xb)
            loss_sum += loss_fn(logits, yb).item() * len(yb)
            correct += ((logits > 0).float() == yb).sum().item()
    return loss_sum / len(x), correct / len(x)


def main():
    parser = peer_data.argument_parser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--init", choices=["keras", "torch"], default="keras")
    parser.add_argument("--denormals", choices=["flush", "keep"], default="flush")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.denormals == "flush" and not torch.set_flush_denormal(True):
        peer_data.log("  torch: this CPU cannot flush denormals; running with PyTorch's default")
    torch.manual_seed(args.seed)
    header, data = peer_data.load(args.data, peer_data.SPLITS)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data["train"], data["validation"], data["test"]
    model = SentimentRNN(args.preset, header["numWords"])
    if args.init == "keras":
        keras_init(model)
    if args.preset == "simple-rnn":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    x_all = torch.from_numpy(x_train).long()
    y_all = torch.from_numpy(y_train)
    generator = torch.Generator().manual_seed(args.seed)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        epoch_started = time.perf_counter()
        model.train()
        order = torch.randperm(len(x_all), generator=generator)
        loss_sum = 0.0
        correct = 0
        for start in range(0, len(order), args.batch_size):
            index = order[start : start + args.batch_size]
            xb, yb = x_all[index], y_all[index]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(yb)
            correct += ((logits.detach() > 0).float() == yb).sum().item()
        train_seconds = time.perf_counter() - epoch_started
        val_loss, val_accuracy = evaluate(model, x_val, y_val, args.batch_size, loss_fn)
        seconds = time.perf_counter() - epoch_started
        entry = {
            "epoch": epoch,
            "seconds": seconds,
            "trainSeconds": train_seconds,
            "examplesPerSecond": len(x_all) / train_seconds,
            "loss": loss_sum / len(x_all),
            "accuracy": correct / len(x_all),
            "valLoss": val_loss,
            "valAccuracy": val_accuracy,
        }
        epochs.append(entry)
        peer_data.log(
            f"  torch {epoch}: {seconds:.1f} s ({train_seconds:.1f} s training), "
            f"loss {entry['loss']:.4f} acc {entry['accuracy']:.4f} val_acc {val_accuracy:.4f}"
        )
    # The final weights on the test reviews every contestant reads.
    test_loss, test_accuracy = evaluate(model, x_test, y_test, 256, loss_fn)
    peer_data.log(f"  torch test: loss {test_loss:.4f} acc {test_accuracy:.4f} on {len(x_test)} reviews")
    peer_data.finish(
        args.out,
        {
            "contestant": "torch",
            "framework": f"PyTorch {torch.__version__}",
            "python": platform.python_version(),
            "numpy": np.__version__,
            "threads": {"intraOp": torch.get_num_threads(), "interOp": torch.get_num_interop_threads()},
            "implementation": f"nn.{type(model.recurrent).__name__}, {args.init} init, denormals {args.denormals}",
            "train": int(len(x_train)),
            "validation": int(len(x_val)),
            "epochs": epochs,
            "test": {"loss": test_loss, "accuracy": test_accuracy, "count": int(len(x_test))},
        },
        STARTED,
    )


if __name__ == "__main__":
    main()
