import streamlit as st

from lib.ui.sidebar import dataset_picker

st.title("Multiclass cross-entropy")
dataset_picker()
st.info("This lesson is being written.")
