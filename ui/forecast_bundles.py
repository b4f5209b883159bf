"""Forecast page: download this run's model, reuse a saved one, or upload one made elsewhere."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import streamlit as st

from forecasting.errors import ForecastError
from ui import forecast_fresh
from ui.forecast_ui import Request, Result, start_job
from ui.view import View


def bundle_panel(view: View, request: Request, result: Result | None) -> None:
    """Download this run's model, reuse a saved one, or upload one made elsewhere."""
    st.subheader("Saved models")
    if result is not None and result.bundle is not None:
        safe = "".join(ch if ch.isalnum() else "-" for ch in result.label).strip("-")
        st.download_button(
            "Download the model (.zip)",
            result.bundle,
            file_name=f"cost-drift-model-{safe}.zip",
            mime="application/zip",
            key="fc_download",
            on_click="ignore",
        )
        st.caption(
            "The zip holds one .keras file per network, the settings and the scaler (no pickle); "
            "the command line reads it with `cost-drift forecast FILE --load MODEL.zip`."
        )
    saved = view.store.list_models()
    ensemble_source: tuple[str, bytes] | None = None
    if saved:
        c1, c2 = st.columns([3, 1])
        choice = c1.selectbox("Your saved models", saved, key="fc_saved_model")
        if c2.button("Use this model", key="fc_use_saved") and choice:
            data = view.store.load_model(str(choice))
            if data is not None:
                ensemble_source = (str(choice), data)
    upload = st.file_uploader(
        "Upload a saved model (.zip)",
        type=["zip"],
        key="fc_bundle_upload",
        help="A model downloaded from this app or saved by the command line.",
    )
    if upload is not None and st.button("Forecast with the uploaded model", key="fc_use_upload"):
        ensemble_source = (upload.name, upload.getvalue())
    if ensemble_source is None:
        return
    from forecasting.bundle import bundle_from_zip

    name, data = ensemble_source
    try:
        ensemble = bundle_from_zip(data)
    except ForecastError as err:
        st.error(f"{name}: {err}")
        return
    digest = hashlib.sha256(data).hexdigest()
    reuse = Request(
        forecast=replace(
            request.forecast.with_settings(ensemble.settings),
            label=f"{request.label} with model {name}",
        ),
        key=(request.key, forecast_fresh.BUNDLE, digest),
        data_key=request.data_key,
    )
    start_job(reuse, ensemble=ensemble)
    st.rerun()
