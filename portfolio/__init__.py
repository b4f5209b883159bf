"""Cost Drift portfolio core: load and validate, roll up, alert, export, charts.

Pure: never imports Streamlit or TensorFlow.
"""
