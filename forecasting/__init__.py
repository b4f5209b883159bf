"""Cost Drift forecasting core: LSTM ensembles, baselines, backtests, coherent hierarchy.

Never imports Streamlit or the portfolio package; TensorFlow is imported only inside the functions
that build, train or load a model.
"""
